import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { RedisConnections, RedisKeys } from '@bulkhead/store';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
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
}
