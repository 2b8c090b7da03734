import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';

/** Failures within BREAKER_WINDOW_MS that open a provider's breaker. */
export const BREAKER_FAILURES = 3;
export const BREAKER_WINDOW_MS = 30_000;
/** A 429 without Retry-After cools the provider down this long. */
export const RATE_LIMIT_COOL_DOWN_MS = 10_000;

/** Whether a call may use a provider now: yes, yes as the half-open breaker's one trial, or why not. */
export type Admission = 'ok' | 'trial' | 'disabled' | 'rate_limited' | 'open';

/** A provider's health as the admin API shows it; `until` when a state ends by itself. */
export interface HealthView {
  readonly state: 'healthy' | 'open' | 'half_open' | 'rate_limited' | 'disabled';
  readonly until?: string;
}

export type CallOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure' }
  | { readonly kind: 'rate_limited'; readonly retryAfterMs?: number }
  | { readonly kind: 'unauthorized' };

/**
 * Each tenant's providers' health, shared by every worker through Redis and surviving restarts: a
 * circuit breaker (BREAKER_FAILURES failures within BREAKER_WINDOW_MS open it for
 * LLM_BREAKER_OPEN_MS; then one trial call half-opens it, and its outcome closes or reopens it),
 * rate-limit cool-downs that honour Retry-After, and credentials refused (401/403) disabling the
 * provider until they change. Keyed by tenant and provider: one tenant's failing provider never
 * affects another's. One script call before a provider is called and one after.
 */
@Injectable()
export class ProviderHealth {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async admit(tenantId: TenantId, name: string, updatedAt: string): Promise<Admission> {
    const admission = await this.redis.bulkheadAdmitProvider(
      this.keys.providerHealth(tenantId, name),
      updatedAt,
      this.config.LLM_CALL_TIMEOUT_MS,
    );
    return admission as Admission;
  }

  /** What the admin API shows of each provider's health, read on Redis's clock in one round trip. */
  async viewsOf(
    tenantId: TenantId,
    providers: readonly { readonly name: string; readonly updatedAt: string }[],
  ): Promise<HealthView[]> {
    const pipeline = this.redis.pipeline().time();
    for (const { name } of providers) {
      pipeline.hmget(this.keys.providerHealth(tenantId, name), ...HEALTH_FIELDS);
    }
    const [clock, ...replies] = (await pipeline.exec()) ?? [];
    const [seconds, micros] = (clock?.[1] as [string, string] | undefined) ?? ['0', '0'];
    const now = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
    return providers.map(({ updatedAt }, i) =>
      healthViewOf((replies[i]?.[1] ?? []) as (string | null)[], updatedAt, now),
    );
  }

  /** Returns true when this failure opened the breaker. */
  async record(
    tenantId: TenantId,
    name: string,
    updatedAt: string,
    outcome: CallOutcome,
  ): Promise<boolean> {
    const key = this.keys.providerHealth(tenantId, name);
    switch (outcome.kind) {
      case 'success':
        await this.redis.bulkheadRecordProvider(key, 'success');
        return false;
      case 'rate_limited':
        await this.redis.bulkheadRecordProvider(
          key,
          'rate_limited',
          outcome.retryAfterMs ?? RATE_LIMIT_COOL_DOWN_MS,
        );
        return false;
      case 'unauthorized':
        await this.redis.bulkheadRecordProvider(key, 'unauthorized', updatedAt);
        return false;
      case 'failure': {
        const opened = await this.redis.bulkheadRecordProvider(
          key,
          'failure',
          BREAKER_FAILURES,
          BREAKER_WINDOW_MS,
          this.config.LLM_BREAKER_OPEN_MS,
        );
        return opened === 1;
      }
    }
  }
}

const HEALTH_FIELDS = ['disabledFor', 'coolUntil', 'openUntil'] as const;

function healthViewOf(fields: (string | null)[], updatedAt: string, now: number): HealthView {
  const [disabledFor, coolUntil, openUntil] = fields;
  const cool = Number(coolUntil ?? 0);
  const open = Number(openUntil ?? 0);
  if (disabledFor === updatedAt) {
    return { state: 'disabled' };
  }
  if (cool > now) {
    return { state: 'rate_limited', until: new Date(cool).toISOString() };
  }
  if (open > now) {
    return { state: 'open', until: new Date(open).toISOString() };
  }
  return open > 0 ? { state: 'half_open' } : { state: 'healthy' };
}
