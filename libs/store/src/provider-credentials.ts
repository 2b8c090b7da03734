import { Inject, Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';

/** Providers one tenant may hold; a new one beyond it is refused. */
export const MAX_PROVIDERS_PER_TENANT = 16;

export const PROVIDER_TYPES = Object.freeze(['openai-compatible', 'anthropic'] as const);

const storedProviderSchema = z.object({
  name: z.string(),
  type: z.enum(PROVIDER_TYPES),
  baseUrl: z.string(),
  models: z.array(z.string()),
  priority: z.number().int(),
  enabled: z.boolean(),
  /** The API key, sealed by SecretBox for `<tenantId>/<name>`; never the key itself. */
  sealedKey: z.string(),
  keyHint: z.string(),
  updatedAt: z.string(),
});

/** What a provider's key is sealed for (SecretBox's associated data): opened anywhere else, it fails. */
export function providerKeyContext(tenantId: TenantId, name: string): string {
  return `${tenantId}/${name}`;
}

/** A tenant's LLM provider as stored. */
export type StoredProvider = z.output<typeof storedProviderSchema>;

// Refuses a new name at the cap, in one step: two concurrent puts cannot both pass it.
const PUT_PROVIDER = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return 'full'
end
return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 and 'created' or 'updated'
`;

// Replaces a sealed value only if it is still the one read: a concurrent put wins over a re-seal.
const RESEAL_PROVIDER = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/**
 * Tenants' LLM providers, one hash per tenant (name → JSON, at most MAX_PROVIDERS_PER_TENANT). The
 * key is stored sealed: this store neither seals nor opens it, and nothing here logs a record.
 */
@Injectable()
export class ProviderCredentials {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async put(tenantId: TenantId, provider: StoredProvider): Promise<'created' | 'updated' | 'full'> {
    const json = JSON.stringify(storedProviderSchema.parse(provider));
    const outcome = await this.redis.eval(
      PUT_PROVIDER,
      1,
      this.keys.providers(tenantId),
      provider.name,
      json,
      String(MAX_PROVIDERS_PER_TENANT),
    );
    return outcome as 'created' | 'updated' | 'full';
  }

  /** The tenant's providers by priority (lowest first), then name; unreadable entries left out. */
  async list(tenantId: TenantId): Promise<StoredProvider[]> {
    const stored = await this.redis.hgetall(this.keys.providers(tenantId));
    return Object.values(stored)
      .map(parseProvider)
      .filter((provider): provider is StoredProvider => provider !== undefined)
      .sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async delete(tenantId: TenantId, name: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.providers(tenantId), name)) === 1;
  }

  /**
   * Re-seals one provider's key with `reseal` (given the sealed key, it returns the new one, or
   * undefined to leave it), unless a write changed the provider meanwhile: that write is already
   * sealed with the current key. 'gone' when the provider no longer exists.
   */
  async reseal(
    tenantId: TenantId,
    name: string,
    reseal: (sealedKey: string) => string | undefined,
  ): Promise<'resealed' | 'kept' | 'changed' | 'gone'> {
    const key = this.keys.providers(tenantId);
    const raw = await this.redis.hget(key, name);
    const provider = raw === null ? undefined : parseProvider(raw);
    if (raw === null || !provider) {
      return 'gone';
    }
    const sealedKey = reseal(provider.sealedKey);
    if (sealedKey === undefined) {
      return 'kept';
    }
    const after = JSON.stringify({ ...provider, sealedKey });
    const replaced = await this.redis.eval(RESEAL_PROVIDER, 1, key, name, raw, after);
    return replaced === 1 ? 'resealed' : 'changed';
  }

  /** Every tenant holding providers, found by a SCAN (an operator's command, not a request path). */
  async *tenantsWithProviders(): AsyncGenerator<TenantId> {
    const { match, tenantOf } = this.keys.providersPattern;
    for await (const keys of this.redis.scanStream({ match, count: 500 })) {
      for (const key of keys as string[]) {
        const tenantId = tenantOf(key);
        if (tenantId) {
          yield tenantId;
        }
      }
    }
  }
}

function parseProvider(value: string): StoredProvider | undefined {
  try {
    const parsed = storedProviderSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
