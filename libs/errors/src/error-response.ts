import { DomainError, ErrorDetail, ErrorKind } from './domain-error';

export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly details?: readonly ErrorDetail[];
}

const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  limit: 429,
  unavailable: 503,
  internal: 500,
};

const INTERNAL_MESSAGE = 'Bulkhead failed to handle this request. It was logged; try again later.';

/** The one mapping from a domain error to what a client sees; internal errors never show their text. */
export function errorBodyOf(error: DomainError): ErrorBody {
  const statusCode = STATUS_BY_KIND[error.kind];
  if (error.kind === 'internal') {
    return { statusCode, code: 'internal', message: INTERNAL_MESSAGE };
  }
  if (error.details.length === 0) {
    return { statusCode, code: error.code, message: error.message };
  }
  return { statusCode, code: error.code, message: error.message, details: error.details };
}

export function internalErrorBody(): ErrorBody {
  return { statusCode: 500, code: 'internal', message: INTERNAL_MESSAGE };
}
