import { Inject, Injectable } from '@nestjs/common';
import { TenantId, isTenantId } from '@bulkhead/context';
import { ApiKeyNotFoundError } from '@bulkhead/errors';
import type { Redis } from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';

export interface IssuedKey {
  readonly id: string;
  readonly key: string;
}

export interface KeyOwner {
  readonly tenantId: TenantId;
  readonly keyId: string;
}

const KEY_PATTERN = /^bk_([a-z0-9][a-z0-9-]{1,62})_([A-Za-z0-9_-]{43})$/;

/**
 * API keys: `bk_<tenantId>_<secret>`. Only a SHA-256 of the key is stored, under the tenant's own
 * prefix, so resolving a key reads one key of the tenant it names and nothing else; a key naming one
 * tenant can never resolve to another. Revoking deletes the hash (the next lookup fails) and, in the
 * same transaction, tells every API process to forget the key from its cache (KeyOwners).
 */
@Injectable()
export class ApiKeys {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async issue(tenantId: TenantId): Promise<IssuedKey> {
    const id = `key_${randomBytes(9).toString('base64url')}`;
    const key = `bk_${tenantId}_${randomBytes(32).toString('base64url')}`;
    const hash = digest(key);
    await this.redis
      .multi()
      .set(this.keys.apiKeyLookup(tenantId, hash), id)
      .hset(this.keys.apiKeys(tenantId), id, hash)
      .exec();
    return { id, key };
  }

  /** The tenant and key id a presented key belongs to, or undefined for anything else. */
  async resolve(presented: string): Promise<KeyOwner | undefined> {
    const match = KEY_PATTERN.exec(presented);
    const tenant = match?.[1];
    if (!tenant || !isTenantId(tenant)) {
      return undefined;
    }
    const keyId = await this.redis.get(this.keys.apiKeyLookup(tenant, digest(presented)));
    return keyId ? { tenantId: tenant, keyId } : undefined;
  }

  /** Whether a key id is still live for the tenant (false once revoked). */
  async isLive(tenantId: TenantId, keyId: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.apiKeys(tenantId), keyId)) === 1;
  }

  async revoke(tenantId: TenantId, keyId: string): Promise<void> {
    const hash = await this.redis.hget(this.keys.apiKeys(tenantId), keyId);
    if (!hash) {
      throw new ApiKeyNotFoundError(keyId);
    }
    await this.redis
      .multi()
      .del(this.keys.apiKeyLookup(tenantId, hash))
      .hdel(this.keys.apiKeys(tenantId), keyId)
      .publish(this.keys.keyRevocationsChannel, JSON.stringify({ tenantId, keyId }))
      .exec();
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
