import { HttpException } from '@nestjs/common';
import { DomainError, ErrorBody, errorBodyOf, internalErrorBody } from '@bulkhead/errors';

export interface ErrorResponse {
  readonly body: ErrorBody;
  /** True when the error is Bulkhead's fault: it must be logged, and its text never reaches the client. */
  readonly internal: boolean;
  /** Seconds for a Retry-After header, when the error passes with time. */
  readonly retryAfterSeconds?: number;
}

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  411: 'length_required',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  431: 'headers_too_large',
};

const HINT_BY_CODE: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is over 1 MiB; send a smaller body.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the body as JSON with "Content-Type: application/json".',
  FST_ERR_CTP_EMPTY_JSON_BODY:
    'The body is empty but Content-Type is application/json; send a JSON object.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body sent.',
};

/**
 * The one translation from anything thrown while serving HTTP to an answer: domain errors by their kind,
 * framework errors (Nest's HttpException, Fastify's parser errors, which Nest routes through the same
 * filter) by their 4xx status, Redis connection failures as 503, everything else as a logged 500.
 */
export function errorResponseOf(error: unknown): ErrorResponse {
  if (error instanceof DomainError) {
    const { retryAfterSeconds } = error;
    return { body: errorBodyOf(error), internal: error.kind === 'internal', retryAfterSeconds };
  }
  const status = clientStatusOf(error);
  if (status !== undefined) {
    return { body: clientErrorBody(status, error), internal: false };
  }
  if (isRedisUnavailable(error)) {
    return {
      body: {
        statusCode: 503,
        code: 'unavailable',
        message: 'Storage is unreachable; retry shortly.',
      },
      internal: false,
    };
  }
  return { body: internalErrorBody(), internal: true };
}

function clientStatusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) {
    return inClientRange(error.getStatus());
  }
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    return inClientRange(Number(error.statusCode));
  }
  return undefined;
}

function inClientRange(status: number): number | undefined {
  return status >= 400 && status < 500 ? status : undefined;
}

function clientErrorBody(status: number, error: unknown): ErrorBody {
  const frameworkCode = (error as { code?: unknown }).code;
  const hint = typeof frameworkCode === 'string' ? HINT_BY_CODE[frameworkCode] : undefined;
  const message = hint ?? (error instanceof Error ? error.message : 'The request was rejected.');
  return { statusCode: status, code: CODE_BY_STATUS[status] ?? 'client_error', message };
}

function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|Stream isn't writeable|enableOfflineQueue/.test(
      error.message,
    ) ||
    // A full Redis (maxmemory with noeviction), a busy one (a long script) or one still loading.
    /^(OOM|BUSY|LOADING) /.test(error.message)
  );
}
