import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { AppLogger } from '@bulkhead/logging';
import { RunEvent } from '@bulkhead/store';
import { SocketFlow } from './socket-flow';
import { EventsSocket } from './socket-types';

/**
 * Opens each connection's SocketFlow with the configured bounds, and drops a socket that stays a slow
 * consumer. Stateless: every flow lives in its socket's data and is closed on disconnect.
 */
@Injectable()
export class SocketFlows {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  open(socket: EventsSocket): SocketFlow {
    const bounds = {
      maxBytes: this.config.SOCKET_BUFFER_MAX_BYTES,
      slowAfterMs: this.config.SOCKET_SLOW_CONSUMER_MS,
    };
    const emit = (event: RunEvent) => socket.emit('run.event', event);
    const flow = new SocketFlow(socket.conn, emit, bounds, () => this.dropSlowConsumer(socket));
    flow.open();
    return flow;
  }

  /**
   * Delivery waited SOCKET_SLOW_CONSUMER_MS for this socket to take what it was sent. The notice goes
   * out behind what is buffered and socket.io closes the connection once that is flushed, so a slow
   * client still reads why; one that reads nothing at all is closed by engine.io's heartbeat. Either
   * way the socket, its subscriptions and its seat are gone at once.
   */
  private dropSlowConsumer(socket: EventsSocket): void {
    const { tenantId, keyId, flow } = socket.data;
    const waitedMs = this.config.SOCKET_SLOW_CONSUMER_MS;
    this.logger.warn('socket.slow_consumer', {
      tenantId,
      keyId,
      waitedMs,
      bufferedBytes: flow.bufferedBytes,
    });
    socket.emit('server.disconnect', {
      reason: 'slow_consumer',
      message:
        `This socket left events unread for ${waitedMs} ms (SOCKET_SLOW_CONSUMER_MS). ` +
        'Reconnect and subscribe again with after = the last event id received.',
    });
    socket.disconnect(true);
  }
}
