import { DomainError, errorBodyOf, internalErrorBody } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { Ack } from './socket-types';

/**
 * The socket counterpart of the HTTP filter: runs a handler and answers its ack with {ok: true} or
 * {ok: false, error: {code, message}}; unexpected errors are logged and answered without detail.
 * Returns the handler's result, or undefined when it failed.
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
    const body = error instanceof DomainError ? errorBodyOf(error) : internalErrorBody();
    if (!(error instanceof DomainError) || error.kind === 'internal') {
      logger.error('socket.handler_failed', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    ack?.({ ok: false, error: { code: body.code, message: body.message } });
    return undefined;
  }
}
