import { BulkheadError, errorFromAnswer, redacted, unreachableError } from './errors.js';

export type QueryValue = string | number | undefined;

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Record<string, QueryValue> | undefined;
  readonly body?: unknown;
  readonly headers?: Record<string, string> | undefined;
  readonly signal?: AbortSignal | undefined;
}

type Send = (url: string, init: RequestInit) => Promise<Response>;

/**
 * JSON over HTTP with a bearer credential. Resolves with the parsed body of a 2xx answer (undefined
 * for 204); rejects with a BulkheadError for any other answer or when the server cannot be reached,
 * and with the signal's reason when the request is aborted. The credential never appears in an error.
 */
export class HttpTransport {
  private readonly send: Send;

  constructor(
    readonly baseUrl: string,
    private readonly credential: string,
    fetchImpl: typeof fetch | undefined,
  ) {
    const chosen = fetchImpl ?? globalThis.fetch;
    if (typeof chosen !== 'function') {
      throw new TypeError('No fetch is available here: pass options.fetch.');
    }
    // Called as a plain function: a browser's fetch throws "Illegal invocation" when `this` is not
    // the global object.
    this.send = (url, init) => chosen(url, init);
  }

  async request<T>(request: HttpRequest): Promise<T> {
    try {
      return (await this.exchange(request)) as T;
    } catch (error) {
      throw error instanceof BulkheadError ? redacted(error, this.credential) : error;
    }
  }

  private async exchange(request: HttpRequest): Promise<unknown> {
    const response = await this.dispatch(request);
    const text = await this.readBody(response, request.signal);
    if (!response.ok) {
      throw errorFromAnswer(
        {
          status: response.status,
          statusText: response.statusText,
          body: text,
          retryAfter: response.headers.get('retry-after'),
        },
        this.baseUrl,
      );
    }
    return text === '' ? undefined : this.parse(text, response.status);
  }

  private async dispatch(request: HttpRequest): Promise<Response> {
    const hasBody = request.body !== undefined;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.credential}`,
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...request.headers,
    };
    try {
      return await this.send(this.urlOf(request), {
        method: request.method,
        headers,
        body: hasBody ? JSON.stringify(request.body) : null,
        signal: request.signal ?? null,
      });
    } catch (error) {
      if (request.signal?.aborted) {
        throw request.signal.reason;
      }
      throw unreachableError(this.baseUrl, error);
    }
  }

  private async readBody(response: Response, signal: AbortSignal | undefined): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      if (signal?.aborted) {
        throw signal.reason;
      }
      throw unreachableError(this.baseUrl, error);
    }
  }

  private parse(text: string, status: number): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BulkheadError({
        status,
        code: 'invalid_response',
        message: `Bulkhead at ${this.baseUrl} answered ${status} with a body that is not JSON.`,
      });
    }
  }

  private urlOf(request: HttpRequest): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) {
        params.set(name, String(value));
      }
    }
    const query = params.toString();
    return `${this.baseUrl}${request.path}${query === '' ? '' : `?${query}`}`;
  }
}

/** The base URL without trailing slashes; throws a TypeError for a value that is not a URL. */
export function normalizeBaseUrl(baseUrl: string): string {
  const parsed = new URL(baseUrl);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be an http(s) URL, got ${parsed.protocol}`);
  }
  return baseUrl.replace(/\/+$/, '');
}

/** A path segment, escaped: ids are never trusted to be URL-safe. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
