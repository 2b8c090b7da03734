import { Inject, Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { TenantExistsError, TenantNotFoundError } from '@bulkhead/errors';
import type { Redis } from 'ioredis';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';

export interface Tenant {
  readonly id: TenantId;
  readonly name: string;
  readonly createdAt: string;
}

/** Tenant records: one JSON value per tenant, created once (SET NX), read by id. Limits: TenantLimits. */
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
}
