import { Inject, Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { TenantExistsError, TenantNotFoundError } from '@bulkhead/errors';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';

export interface Tenant {
  readonly id: TenantId;
  readonly name: string;
  readonly createdAt: string;
}

/** The agents a tenant may use, by name; null: every agent. */
export type AgentAllowlist = readonly string[] | null;

const allowlistSchema = z.array(z.string()).max(1_000);

/**
 * The stored allowlist (a JSON array), or null when none is stored. An unreadable one allows no agent:
 * an access restriction fails closed.
 */
export function allowlistOf(stored: string | null): AgentAllowlist {
  if (stored === null) {
    return null;
  }
  try {
    const parsed = allowlistSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/**
 * Tenant records: one JSON value per tenant, created once (SET NX), read by id, and the agents each
 * may use. Limits: TenantLimits.
 */
@Injectable()
export class TenantDirectory {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async create(tenantId: TenantId, name: string | undefined): Promise<Tenant> {
    const tenant: Tenant = {
      id: tenantId,
      name: name ?? tenantId,
      createdAt: new Date().toISOString(),
    };
    const created = await this.redis.set(this.keys.tenant(tenantId), JSON.stringify(tenant), 'NX');
    if (created !== 'OK') {
      throw new TenantExistsError(tenantId);
    }
    return tenant;
  }

  async get(tenantId: TenantId): Promise<Tenant> {
    const stored = await this.redis.get(this.keys.tenant(tenantId));
    if (!stored) {
      throw new TenantNotFoundError(tenantId);
    }
    const { id, name, createdAt } = JSON.parse(stored) as Tenant;
    return { id, name, createdAt };
  }

  /** The agents the tenant may use; null: every agent. */
  async agentsOf(tenantId: TenantId): Promise<AgentAllowlist> {
    return allowlistOf(await this.redis.get(this.keys.tenantAgents(tenantId)));
  }

  /** Sets the agents the tenant may use (null: every agent); in force at its next request. */
  async setAgents(tenantId: TenantId, agents: AgentAllowlist): Promise<void> {
    if (agents === null) {
      await this.redis.del(this.keys.tenantAgents(tenantId));
      return;
    }
    await this.redis.set(this.keys.tenantAgents(tenantId), JSON.stringify([...new Set(agents)]));
  }
}
