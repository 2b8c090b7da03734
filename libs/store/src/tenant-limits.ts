import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';
import { RunStore } from './run-store';

export interface TenantLimitValues {
  readonly maxConcurrentRuns: number;
  readonly maxQueuedRuns: number;
  readonly runsPerMinute: number;
  readonly maxStoredRuns: number;
  /** LLM tokens (input and output) the tenant may use per UTC day; null: no limit. */
  readonly maxTokensPerDay: number | null;
}

/** A limit set to a number is the tenant's own; set to null it goes back to the configured default. */
export type TenantLimitsPatch = { readonly [K in keyof TenantLimitValues]?: number | null };

/** Live usage, from the indexes the run scripts keep in the same step as each status change. */
export interface TenantUsage {
  readonly queued: number;
  readonly running: number;
  /** Runs kept, finished or not: what maxStoredRuns bounds. */
  readonly stored: number;
}

const LIMIT_NAMES = [
  'maxConcurrentRuns',
  'maxQueuedRuns',
  'runsPerMinute',
  'maxStoredRuns',
  'maxTokensPerDay',
] as const;

/**
 * Each tenant's limits, kept in Redis where the run scripts read them on every submission and start:
 * a change applies to the next one, in every process, with no restart and no per-process copy.
 */
@Injectable()
export class TenantLimits {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: RunStore,
  ) {}

  /** The limits in force: the tenant's own where set, the configured defaults elsewhere. */
  async of(tenantId: TenantId): Promise<TenantLimitValues> {
    const own = await this.redis.hmget(this.keys.tenantLimits(tenantId), ...LIMIT_NAMES);
    const [maxConcurrentRuns, maxQueuedRuns, runsPerMinute, maxStoredRuns, maxTokensPerDay] =
      own.map((value) => (value === null ? undefined : Number(value)));
    const tokensPerDay = maxTokensPerDay ?? this.config.TENANT_MAX_TOKENS_PER_DAY;
    return {
      maxConcurrentRuns: maxConcurrentRuns ?? this.config.TENANT_MAX_CONCURRENT_RUNS,
      maxQueuedRuns: maxQueuedRuns ?? this.config.TENANT_MAX_QUEUED_RUNS,
      runsPerMinute: runsPerMinute ?? this.config.TENANT_RUNS_PER_MINUTE,
      maxStoredRuns: maxStoredRuns ?? this.config.TENANT_MAX_STORED_RUNS,
      maxTokensPerDay: tokensPerDay > 0 ? tokensPerDay : null,
    };
  }

  /**
   * Applies a change and returns the parked runs that a raised maxConcurrentRuns lets start now; the
   * caller promotes their jobs (the others are woken as running runs end).
   */
  async update(tenantId: TenantId, patch: TenantLimitsPatch): Promise<RunId[]> {
    await this.set(tenantId, patch);
    return this.runs.wakeParked(tenantId);
  }

  /** Writes a change in one transaction; nothing is written for an empty one. */
  async set(tenantId: TenantId, patch: TenantLimitsPatch): Promise<void> {
    const names = LIMIT_NAMES.filter((name) => patch[name] !== undefined);
    if (names.length === 0) {
      return;
    }
    const key = this.keys.tenantLimits(tenantId);
    const transaction = this.redis.multi();
    for (const name of names) {
      const value = patch[name];
      if (value === null || value === undefined) {
        transaction.hdel(key, name);
      } else {
        transaction.hset(key, name, value);
      }
    }
    // The rate state is a due time computed under the old rate; a new rate starts afresh, at once.
    if (names.includes('runsPerMinute')) {
      transaction.del(this.keys.submissionRate(tenantId));
    }
    await transaction.exec();
  }

  async usage(tenantId: TenantId): Promise<TenantUsage> {
    const [queued, running, stored] = await Promise.all([
      this.redis.zcard(this.keys.runIndex(tenantId, 'queued')),
      this.redis.zcard(this.keys.runIndex(tenantId, 'running')),
      this.redis.zcard(this.keys.runIndex(tenantId)),
    ]);
    return { queued, running, stored };
  }
}
