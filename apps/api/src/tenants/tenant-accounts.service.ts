import { Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { RunQueue } from '@bulkhead/queue';
import {
  AgentAllowlist,
  DailyTokens,
  RunStore,
  Tenant,
  TenantDirectory,
  TenantLimitValues,
  TenantLimits,
  TenantLimitsPatch,
  TenantUsage,
  TokenUsage,
} from '@bulkhead/store';

/**
 * What the admin API shows of a tenant: its record, the agents it may use (null: every agent), the
 * limits in force and its live usage.
 */
export interface TenantView extends Tenant {
  readonly agents: AgentAllowlist;
  readonly limits: TenantLimitValues;
  readonly usage: TenantUsage & {
    /** LLM tokens by day (UTC): today first, then each of the 7 days before it that had any. */
    readonly tokensByDay: readonly DailyTokens[];
  };
}

/** Tenants as the admin API manages them: records, limits and usage together. */
@Injectable()
export class TenantAccounts {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly limits: TenantLimits,
    private readonly tokens: TokenUsage,
    private readonly runs: RunStore,
    private readonly queue: RunQueue,
  ) {}

  async create(
    tenantId: TenantId,
    name: string | undefined,
    limits: TenantLimitsPatch,
  ): Promise<TenantView> {
    const tenant = await this.tenants.create(tenantId, name);
    await this.limits.set(tenantId, limits);
    return this.viewOf(tenant);
  }

  async view(tenantId: TenantId): Promise<TenantView> {
    return this.viewOf(await this.tenants.get(tenantId));
  }

  private async viewOf(tenant: Tenant): Promise<TenantView> {
    const tenantId = tenant.id;
    const [agents, limits, usage, tokensByDay] = await Promise.all([
      this.tenants.agentsOf(tenantId),
      this.limits.of(tenantId),
      this.limits.usage(tenantId),
      this.tokens.byDay(tenantId),
    ]);
    return { ...tenant, agents, limits, usage: { ...usage, tokensByDay } };
  }

  /** Sets the agents the tenant may use (null: every agent), in force at its next request. */
  async updateAgents(tenantId: TenantId, agents: AgentAllowlist): Promise<TenantView> {
    const tenant = await this.tenants.get(tenantId);
    await this.tenants.setAgents(tenantId, agents);
    return this.viewOf(tenant);
  }

  /** Takes effect at the next submission and start everywhere; a raised limit starts parked runs now. */
  async updateLimits(tenantId: TenantId, patch: TenantLimitsPatch): Promise<TenantView> {
    const tenant = await this.tenants.get(tenantId);
    const woken = await this.limits.update(tenantId, patch);
    await this.queue.promote(await this.runs.agentsOf(tenantId, woken));
    return this.viewOf(tenant);
  }
}
