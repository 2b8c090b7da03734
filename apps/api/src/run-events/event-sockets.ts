import { Inject, Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { REDIS, RedisKeys } from '@bulkhead/store';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { EVENTS_NAMESPACE } from './events-namespace';
import { keyRoom } from './socket-types';

/** Acts on sockets of every API process at once, through the socket.io Redis adapter's channel. */
@Injectable()
export class EventSockets {
  private readonly emitter: Emitter;

  constructor(@Inject(REDIS) redis: Redis, keys: RedisKeys) {
    this.emitter = new Emitter(redis, { key: keys.socketChannelPrefix });
  }

  /** Drops every socket opened with a key, on every API process (used when the key is revoked). */
  disconnectKey(tenantId: TenantId, keyId: string): void {
    this.emitter.of(EVENTS_NAMESPACE).in(keyRoom(tenantId, keyId)).disconnectSockets(true);
  }
}
