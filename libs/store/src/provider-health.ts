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
