/** One field that failed validation, as the server names it (`input.steps`, `agent`, …). */
export interface ErrorDetail {
  path: string;
  message: string;
}

export interface BulkheadErrorInit {
  readonly message: string;
  readonly code: string;
  readonly status?: number | undefined;
  readonly details?: ErrorDetail[] | undefined;
  readonly retryAfter?: number | undefined;
}

/**
 * Every failure of the client: an HTTP error answer (`status` set, `code` and `message` from the
 * server's JSON), a socket refusal or ack error (`status` undefined), a network failure
 * (`unreachable`), `timeout`, or `closed`. Messages never contain the API key or admin token.
 */
export class BulkheadError extends Error {
  override readonly name = 'BulkheadError';
  /** The HTTP status; undefined for errors that did not come from an HTTP answer. */
  readonly status: number | undefined;
  /** Stable: the server's `code` (run_not_found, runs_per_minute, unauthorized, …) or the client's own. */
  readonly code: string;
  /** One entry per field that failed validation; empty otherwise. */
  readonly details: ErrorDetail[];
  /** Seconds to wait before trying again, from a Retry-After header. */
  readonly retryAfter: number | undefined;

  constructor(init: BulkheadErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.retryAfter = init.retryAfter;
  }
}

/** What the HTTP layer read of a non-2xx answer. */
export interface ErrorAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly body: string;
  readonly retryAfter: string | null;
}

/**
 * The error for a non-2xx answer: the server's `{statusCode, code, message, details?}` when the body
 * is one, else a code of `http_<status>` and a message naming the status.
 */
export function errorFromAnswer(answer: ErrorAnswer, baseUrl: string): BulkheadError {
  const body = parseJson(answer.body);
  const retryAfter = parseRetryAfter(answer.retryAfter);
  const code = stringField(body, 'code') ?? `http_${answer.status}`;
  const message =
    stringField(body, 'message') ??
    `Bulkhead at ${baseUrl} answered ${answer.status} ${answer.statusText}`.trimEnd();
  return new BulkheadError({
    status: answer.status,
    code,
    message,
    details: detailsOf(body),
    retryAfter,
  });
}

/**
 * Seconds from a Retry-After header: a whole number of seconds, or an HTTP date (seconds from `now`,
 * never negative). Undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null) {
    return undefined;
  }
  const value = header.trim();
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** A request that got no answer at all; the message names the server, with the cause's own words. */
export function unreachableError(baseUrl: string, cause: unknown): BulkheadError {
  return new BulkheadError({
    code: 'unreachable',
    message: `Could not reach Bulkhead at ${baseUrl}: ${describeCause(cause)}`,
  });
}

/** A socket-level refusal (`connect_error` data, or an ack's error): `{code, message}`. */
export function socketError(error: unknown, fallbackCode: string): BulkheadError {
  return new BulkheadError({
    code: stringField(error, 'code') ?? fallbackCode,
    message: stringField(error, 'message') ?? `The events socket failed: ${fallbackCode}`,
  });
}

/** Removes every occurrence of a secret from a text we are about to show. */
export function redact(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join('[redacted]');
}

/** The same error with the secret removed from its message (and its details' messages). */
export function redacted(error: BulkheadError, secret: string): BulkheadError {
  return new BulkheadError({
    status: error.status,
    code: error.code,
    message: redact(error.message, secret),
    details: error.details.map((d) => ({ path: d.path, message: redact(d.message, secret) })),
    retryAfter: error.retryAfter,
  });
}

/** An error's message and its causes' (Node's fetch says only "fetch failed"; the cause says why). */
function describeCause(cause: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = cause; at !== undefined && parts.length < 3; at = fieldOf(at, 'cause')) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a cause without a message (a string, a number, an object) is shown as String() shows it, on purpose.
    const message = stringField(at, 'message') ?? String(at);
    const code = stringField(at, 'code');
    parts.push(code && !message.includes(code) ? `${message} (${code})` : message);
  }
  return parts.join(': ');
}

function detailsOf(body: unknown): ErrorDetail[] {
  const details = fieldOf(body, 'details');
  if (!Array.isArray(details)) {
    return [];
  }
  return details.flatMap((entry: unknown) => {
    const path = stringField(entry, 'path');
    const message = stringField(entry, 'message');
    return path !== undefined && message !== undefined ? [{ path, message }] : [];
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function fieldOf(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  return (value as Record<string, unknown>)[name];
}

function stringField(value: unknown, name: string): string | undefined {
  const field = fieldOf(value, name);
  return typeof field === 'string' ? field : undefined;
}
