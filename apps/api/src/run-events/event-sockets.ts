import { Inject, Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { REDIS, RedisKeys } from '@bulkhead/store';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { EVENTS_NAMESPACE } from './events-namespace';
import { keyRoom } from './socket-types';

/** What the emitter needs of a Redis client: it only ever publishes. */
interface Publisher {
  publish(channel: string, message: string | Buffer): Promise<number>;
}

/**
 * Acts on sockets of every API process at once, through the socket.io Redis adapter's channel. The
 * emitter publishes without waiting for the answer, so it is given a publisher whose failures (Redis
 * down between a revocation and its broadcast) are logged instead of left unhandled, which would end
 * the process.
 */
@Injectable()
export class EventSockets {
  private readonly emitter: Emitter;

  constructor(@Inject(REDIS) redis: Redis, keys: RedisKeys, logger: AppLogger) {
    const publisher: Publisher = {
      publish: (channel, message) =>
        redis.publish(channel, message).catch((error: unknown) => {
          logger.error('sockets.broadcast_failed', { error: describeError(error) });
          return 0;
        }),
    };
    this.emitter = new Emitter(publisher, { key: keys.socketChannelPrefix });
  }

  /** Drops every socket opened with a key, on every API process (used when the key is revoked). */
  disconnectKey(tenantId: TenantId, keyId: string): void {
    this.emitter.of(EVENTS_NAMESPACE).in(keyRoom(tenantId, keyId)).disconnectSockets(true);
  }
}
