import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { RedisConnections, RedisKeys } from '@bulkhead/store';
import { createAdapter } from '@socket.io/redis-adapter';
import { EMPTY, Observable, catchError, defer } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { WrongNamespaceError } from './wrong-namespace.error';

/**
 * How long an engine.io connection may stay open without joining a namespace (socket.io's own
 * default is 45 s): a client that opens a WebSocket and never authenticates costs at most this long.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * socket.io on the API's HTTP server, with the Redis adapter so rooms span every API process. Only
 * /events takes connections: socket.io's default namespace / always exists, and is made to refuse
 * every handshake (the client is told to use /events) instead of keeping unauthenticated sockets.
 * Message handlers are bound as plain listeners, not as a standing rxjs pipeline per socket and
 * message (see bindMessageHandlers).
 */
export class RedisIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    // Clients bring their own socket.io-client; the server does not hand out its bundle.
    const server = super
      .createIOServer(port, { ...options, serveClient: false } as ServerOptions)
      .connectTimeout(CONNECT_TIMEOUT_MS);
    const connections = this.app.get(RedisConnections);
    const keys = this.app.get(RedisKeys);
    server.adapter(
      createAdapter(connections.open('commands'), connections.open('subscriber'), {
        key: keys.socketChannelPrefix,
      }),
    );
    server.of('/').use((_socket, next) => next(new WrongNamespaceError()));
    return server;
  }

  /**
   * Nest's IoAdapter keeps, for every socket, an rxjs pipeline per message plus one for its
   * disconnect: about 2.5 KiB of a socket's heap while it sits idle (docs/benchmarks.md, scenario 5).
   * A listener per message does the same work when a message arrives, and goes with the socket. As
   * in Nest: a handler's answer is acked unless the handler acks itself, an `{event, data}` answer is
   * emitted, and a handler that throws is logged without silencing later messages.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(String(message), (...payload: unknown[]) => {
        // As rxjs's fromEvent in Nest's binding: several arguments are an array, else the first (or none).
        const { data, ack } = this.mapPayload(payload.length > 1 ? payload : payload[0]) as Payload;
        defer(() => transform(callback(data, ack)))
          .pipe(
            catchError((error: unknown) => {
              this.logger.error(error);
              return EMPTY;
            }),
          )
          .subscribe((response) =>
            answer(socket, response, isAckHandledManually ? undefined : ack),
          );
      });
    }
  }
}

/** What IoAdapter.mapPayload finds in a message: its body and, when the client asked, an ack. */
interface Payload {
  readonly data: unknown;
  readonly ack?: (value: unknown) => void;
}

function answer(
  socket: Socket,
  response: unknown,
  ack: ((value: unknown) => void) | undefined,
): void {
  if (response === undefined || response === null) {
    return;
  }
  const { event, data } = response as { event?: unknown; data?: unknown };
  if (typeof event === 'string' && event !== '') {
    socket.emit(event, data);
    return;
  }
  ack?.(response);
}
