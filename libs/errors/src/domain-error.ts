/**
 * What kind of failure an error is; the HTTP filter and the socket ack map kinds to answers in one place.
 * 'internal' errors are Bulkhead's own bugs or broken invariants: logged, answered without detail.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'limit'
  | 'unavailable'
  | 'internal';

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** Base of every error Bulkhead throws on purpose: a stable code and a message that says what to fix. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;
  readonly details: readonly ErrorDetail[] = [];
  /** When the client may try again, for errors that pass with time; sent as Retry-After. */
  readonly retryAfterSeconds?: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
