import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { errorResponseOf } from '../http/error-response';
import { Ack } from './socket-types';

/**
 * The socket counterpart of the HTTP filter, through the same mapping (errorResponseOf): runs a
 * handler and answers its ack with {ok: true} or {ok: false, error: {code, message}}, so an error
 * has the same code on a socket as on HTTP (a Redis outage is `unavailable` on both). Bulkhead's own
 * failures are logged and answered without detail. Returns the handler's result, or undefined when
 * it failed.
 */
export async function ackOf<T>(
  ack: ((answer: Ack) => void) | undefined,
  logger: AppLogger,
  handler: () => Promise<T>,
): Promise<T | undefined> {
  try {
    const result = await handler();
    ack?.({ ok: true });
    return result;
  } catch (error) {
    const { body, internal } = errorResponseOf(error);
    if (internal) {
      logger.error('socket.handler_failed', { error: describeError(error) });
    }
    ack?.({ ok: false, error: { code: body.code, message: body.message } });
    return undefined;
  }
}
