import { DomainError } from '@bulkhead/errors';

/** A socket subscribed more often than SOCKET_SUBSCRIBES_PER_MINUTE allows (each replays a stream). */
export class TooManySubscribesError extends DomainError {
  readonly code = 'too_many_subscribes';
  readonly kind = 'limit';
  override readonly retryAfterSeconds: number;

  constructor(perMinute: number, retryAfterSeconds: number) {
    super(
      `This socket sent more than ${perMinute} subscribes per minute (SOCKET_SUBSCRIBES_PER_MINUTE), ` +
        `and each one replays the run's stream. Stay subscribed instead of subscribing again; ` +
        `the next subscribe is allowed in ${retryAfterSeconds} s.`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
