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

/** Told of each key this process forgets as revoked. */
export type RevokedListener = (tenantId: string, keyId: string) => void;

interface Cached {
  readonly owner: KeyOwner;
  readonly until: number;
}

/**
 * Who an API key belongs to, for every request and socket handshake of this API process: ApiKeys'
 * answer, kept for KEY_CACHE_TTL_MS so a request costs no Redis read for its key. A revocation is
 * published by whichever process revokes (ApiKeys.revoke) and every API process forgets that key at
 * once; an answer read while a revocation arrived is not kept, and while the subscriber connection
 * is down (messages lost) nothing is cached or served from the cache. Seat renewal forgets a key it
 * finds revoked, should its message be lost all the same. Only
 * keys that resolved are kept (at most KEY_CACHE_MAX, by the SHA-256 of the key, never the key), so
 * unknown keys cannot grow it.
 */
@Injectable()
export class KeyOwners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly cache = new Map<string, Cached>();
  /** What else holds a key's work open here (the /lg streams): one entry per such service. */
  private readonly revokedListeners = new Set<RevokedListener>();
  private revocations: Redis | undefined;
  /** Bumped by every forget and clear: an answer read before one of them is not cached. */
  private generation = 0;
  /** False while revocations may be missed (the subscriber is down or not subscribed yet). */
  private listening = false;

  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly logger: AppLogger,
  ) {}

  async resolve(presented: string): Promise<KeyOwner | undefined> {
    const digest = createHash('sha256').update(presented).digest('hex');
    const cached = this.listening ? this.cache.get(digest) : undefined;
    if (cached && cached.until > Date.now()) {
      return cached.owner;
    }
    this.cache.delete(digest);
    const generation = this.generation;
    const owner = await this.apiKeys.resolve(presented);
    // A revocation heard while this read was in flight may be newer than the answer: do not keep it.
    if (owner && this.listening && generation === this.generation) {
      this.remember(digest, owner);
    }
    return owner;
  }

  /**
   * Forgets a revoked key here at once, and tells the listeners; other processes forget it on the
   * revocation message.
   */
  forget(tenantId: string, keyId: string): void {
    this.generation += 1;
    for (const [digest, { owner }] of this.cache) {
      if (owner.tenantId === tenantId && owner.keyId === keyId) {
        this.cache.delete(digest);
      }
    }
    for (const listener of this.revokedListeners) {
      listener(tenantId, keyId);
    }
  }

  /** Calls `listener` with every key forgotten as revoked, until the returned function is called. */
  whenRevoked(listener: RevokedListener): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /**
   * The cache is used only while the revocation channel is subscribed: when the subscriber drops,
   * everything cached is forgotten and every key is read from Redis until this process has
   * subscribed again (ioredis reports 'ready' before its own resubscribe, so it subscribes itself).
   */
  async onApplicationBootstrap(): Promise<void> {
    const revocations = this.connections.open('subscriber');
    this.revocations = revocations;
    revocations.on('message', (_channel: string, message: string) => this.onRevoked(message));
    revocations.on('close', () => this.distrust());
    // listen() never rejects.
    revocations.on('ready', () => void this.listen(revocations));
    await this.listen(revocations);
  }

  async onApplicationShutdown(): Promise<void> {
    this.distrust();
    await this.revocations?.unsubscribe().catch(() => undefined);
  }

  /** Never rejects: a failed subscribe leaves the cache unused until the next 'ready'. */
  private async listen(revocations: Redis): Promise<void> {
    try {
      await revocations.subscribe(this.keys.keyRevocationsChannel);
      this.listening = true;
    } catch (error) {
      this.logger.warn('keys.revocations_unheard', { error: describeError(error) });
    }
  }

  private distrust(): void {
    this.listening = false;
    this.generation += 1;
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
      this.generation += 1;
      this.cache.clear();
    }
  }
}
