import { TenantId } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { RedisKeys } from '@bulkhead/store';
import { Redis } from 'ioredis';
import { EventSockets } from './event-sockets';

describe(EventSockets.name, () => {
  it('should log, not leave unhandled, a broadcast that Redis refuses', async () => {
    // A client that never connected and queues nothing: every command fails at once.
    const redis = new Redis({
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    const logged: string[] = [];
    const logger = { error: (event: string) => logged.push(event) } as unknown as AppLogger;
    const keys = { socketChannelPrefix: 'bh-spec:socket.io' } as RedisKeys;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const sut = new EventSockets(redis, keys, logger);

    sut.disconnectKey('acme' as TenantId, 'key_1');
    await new Promise((resolve) => setTimeout(resolve, 50));

    process.off('unhandledRejection', onUnhandled);
    redis.disconnect();
    expect(unhandled).toEqual([]);
    expect(logged).toEqual(['sockets.broadcast_failed']);
  });
});
