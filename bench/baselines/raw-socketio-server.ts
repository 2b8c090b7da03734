import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

/**
 * Baseline for event latency and socket memory: a bare socket.io server with the Redis adapter
 * Bulkhead uses. Every client of `/` joins room "bench"; messages reach it from an emitter process
 * through Redis. `/events` admits a client whose handshake carries `auth.token` equal to argv's token,
 * as an authenticated socket with nothing else attached. Answers heap readings over IPC like the
 * platform's diagnostics channel. argv: redis url, channel prefix, token.
 */
const [redisUrl = 'redis://127.0.0.1:6379', channelPrefix = 'bh-bench', token = 'bench'] =
  process.argv.slice(2);

const publisher = new Redis(redisUrl);
const subscriber = publisher.duplicate();
const http = createServer();
const io = new Server(http, {
  adapter: createAdapter(publisher, subscriber, { key: channelPrefix }),
  transports: ['websocket'],
});
// join() returns nothing with this adapter (it records the room in this process only); the type
// allows a promise for adapters that are not local.
io.on('connection', (socket) => void socket.join('bench'));
io.of('/events').use((socket, next) => {
  const auth = socket.handshake.auth as { token?: unknown };
  next(auth.token === token ? undefined : new Error('unauthorized'));
});

process.on('message', (message: { id?: number; type?: string }) => {
  if (message.type !== 'stats') {
    return;
  }
  global.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.send?.({ id: message.id, heapUsed, rss });
});
http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'bench.listening', port })}\n`);
});
process.once('SIGTERM', () => {
  // Never rejects (it settles every namespace, then resolves on the HTTP server's close). Its
  // synchronous part closes every socket; the exit below does not wait for the rest, as before.
  void io.close();
  publisher.disconnect();
  subscriber.disconnect();
  process.exit(0);
});
