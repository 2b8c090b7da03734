import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { RedisConnections, RedisKeys } from '@bulkhead/store';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';

/** socket.io on the API's HTTP server, with the Redis adapter so rooms span every API process. */
export class RedisIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    const connections = this.app.get(RedisConnections);
    const keys = this.app.get(RedisKeys);
    server.adapter(
      createAdapter(connections.open('commands'), connections.open('subscriber'), {
        key: keys.socketChannelPrefix,
      }),
    );
    return server;
  }
}
