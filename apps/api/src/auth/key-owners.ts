import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { ApiKeys, KeyOwner, RedisConnections, RedisKeys } from '@bulkhead/store';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** How long a resolved key is trusted without asking Redis again, should a revocation be missed. */
export const KEY_CACHE_TTL_MS = 30_000;
/** Resolved keys kept at most; the oldest goes first. */
export const KEY_CACHE_MAX = 10_000;

const revokedSchema = z.object({ tenantId: z.string(), keyId: z.string() });

interface Cached {
  readonly owner: KeyOwner;
  readonly until: number;
}

/**
 * Who an API key belongs to, for every request and socket handshake of this API process: ApiKeys'
 * answer, kept for KEY_CACHE_TTL_MS so a request costs no Redis read for its key. A revocation is
 * published by whichever process revokes (ApiKeys.revoke) and every API process forgets that key at
 * once; should the subscriber connection drop (messages lost), the whole cache is forgotten. Only
 * keys that resolved are kept (at most KEY_CACHE_MAX, by the SHA-256 of the key, never the key), so
 * unknown keys cannot grow it.
 */
@Injectable()
export class KeyOwners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly cache = new Map<string, Cached>();
  private revocations: Redis | undefined;

  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly logger: AppLogger,
  ) {}

  async resolve(presented: string): Promise<KeyOwner | undefined> {
    const digest = createHash('sha256').update(presented).digest('hex');
    const cached = this.cache.get(digest);
    if (cached && cached.until > Date.now()) {
      return cached.owner;
    }
    this.cache.delete(digest);
    const owner = await this.apiKeys.resolve(presented);
    if (owner) {
      this.remember(digest, owner);
    }
    return owner;
  }

  /** Forgets a revoked key here at once; other processes forget it on the revocation message. */
  forget(tenantId: string, keyId: string): void {
    for (const [digest, { owner }] of this.cache) {
      if (owner.tenantId === tenantId && owner.keyId === keyId) {
        this.cache.delete(digest);
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    this.revocations = this.connections.open('subscriber');
    this.revocations.on('message', (_channel: string, message: string) => this.onRevoked(message));
    // After a reconnect, revocations sent meanwhile were lost: trust nothing cached before it.
    this.revocations.on('ready', () => this.cache.clear());
    await this.revocations.subscribe(this.keys.keyRevocationsChannel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.revocations?.unsubscribe().catch(() => undefined);
    this.cache.clear();
  }

  private remember(digest: string, owner: KeyOwner): void {
    if (this.cache.size >= KEY_CACHE_MAX) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) {
        this.cache.delete(oldest.value);
      }
    }
    this.cache.set(digest, { owner, until: Date.now() + KEY_CACHE_TTL_MS });
  }

  private onRevoked(message: string): void {
    try {
      const { tenantId, keyId } = revokedSchema.parse(JSON.parse(message));
      this.forget(tenantId, keyId);
    } catch (error) {
      this.logger.warn('keys.malformed_revocation', { error: describeError(error) });
      this.cache.clear();
    }
  }
}
