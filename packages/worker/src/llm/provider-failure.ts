import { APICallError } from 'ai';

/** Why a call left a provider for the next one. */
export type FailoverReason =
  'rate_limited' | 'server_error' | 'connection_error' | 'timeout' | 'unauthorized';

export interface ProviderFailure {
  readonly reason: FailoverReason;
  /** Retry-After, in ms, when the provider sent one. */
  readonly retryAfterMs?: number;
}

/**
 * What a provider's failure means for the call: move on (a rate limit, a 5xx, a connection error, a
 * timeout, rejected credentials), or undefined when the request itself is at fault (another 4xx),
 * which another provider would refuse too.
 */
export function failureOf(error: unknown, timedOut: boolean): ProviderFailure | undefined {
  if (timedOut) {
    return { reason: 'timeout' };
  }
  if (!APICallError.isInstance(error)) {
    return { reason: 'connection_error' };
  }
  const status = error.statusCode;
  if (status === undefined) {
    return { reason: 'connection_error' };
  }
  if (status === 429) {
    const retryAfterMs = retryAfterOf(error.responseHeaders?.['retry-after']);
    return retryAfterMs === undefined
      ? { reason: 'rate_limited' }
      : { reason: 'rate_limited', retryAfterMs };
  }
  if (status === 401 || status === 403) {
    return { reason: 'unauthorized' };
  }
  if (status >= 500) {
    return { reason: 'server_error' };
  }
  return undefined;
}

/** Retry-After as seconds or an HTTP date, in ms from now; at most an hour. */
function retryAfterOf(header: string | undefined): number | undefined {
  if (header === undefined) {
    return undefined;
  }
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1_000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 3_600_000) : undefined;
}
