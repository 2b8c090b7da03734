import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';

/** How often each API process renews the seats of its own sockets. */
export const SEAT_HEARTBEAT_MS = 10_000;
/** A seat not renewed for three heartbeats belongs to a dead process and is given back. */
export const SEAT_STALE_MS = 3 * SEAT_HEARTBEAT_MS;

export type SeatOutcome =
  | { readonly taken: true }
  | { readonly taken: false; readonly refusedBy: 'key' | 'tenant'; readonly limit: number };

/**
 * Live sockets per API key (SOCKET_MAX_PER_KEY) and per tenant (SOCKET_MAX_PER_TENANT), counted in
 * Redis across every API process. A socket takes its seat in the handshake and gives it back when it
 * disconnects; each process renews its own sockets' seats every SEAT_HEARTBEAT_MS, so the seats of a
 * process that was killed drop out by themselves within SEAT_STALE_MS. Holds no state of its own;
 * every method takes the tenant first and throws what Redis throws.
 */
@Injectable()
export class SocketSeats {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Takes a seat for the socket if both its key and its tenant are under their caps. */
  async take(tenantId: TenantId, keyId: string, socketId: string): Promise<SeatOutcome> {
    const { SOCKET_MAX_PER_KEY: perKey, SOCKET_MAX_PER_TENANT: perTenant } = this.config;
    const answer = await this.redis.bulkheadTakeSocketSeat(
      this.keys.tenantSockets(tenantId),
      this.keys.keySockets(tenantId, keyId),
      socketId,
      perKey,
      perTenant,
      SEAT_STALE_MS,
    );
    if (answer === 0) {
      return { taken: true };
    }
    if (answer === 1) {
      return { taken: false, refusedBy: 'key', limit: perKey };
    }
    return { taken: false, refusedBy: 'tenant', limit: perTenant };
  }

  /** Gives a socket's seat back (nothing happens if it was not held). */
  async release(tenantId: TenantId, keyId: string, socketId: string): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.keys.tenantSockets(tenantId), socketId)
      .zrem(this.keys.keySockets(tenantId, keyId), socketId)
      .exec();
  }

  /** Renews the heartbeat of seats this process's sockets of one key hold. */
  async renew(tenantId: TenantId, keyId: string, socketIds: readonly string[]): Promise<void> {
    if (socketIds.length === 0) {
      return;
    }
    await this.redis.bulkheadRenewSocketSeats(
      this.keys.tenantSockets(tenantId),
      this.keys.keySockets(tenantId, keyId),
      SEAT_STALE_MS,
      ...socketIds,
    );
  }
}
