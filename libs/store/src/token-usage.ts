import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';

/** Entries a run's usage keeps by provider and model; beyond, calls count under '(other)'. */
export const MAX_RUN_USAGE_ENTRIES = 32;
/** Characters of a model's name a run's usage keeps (a provider names the model it answered with). */
const MAX_MODEL_NAME = 200;
/** Tokens one call may count, each of input and output: far above any model's context. */
const MAX_CALL_TOKENS = 1_000_000_000;
/** Days a tenant's token use is kept, today included. */
export const TOKEN_DAYS_KEPT = 8;

/** What one LLM call used, as its provider reported it. */
export interface CallTokens {
  readonly provider: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface ModelUsage extends CallTokens {
  readonly calls: number;
}

/** The tokens a run used, over all its attempts: totals, and by provider and model. */
export interface RunUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly calls: number;
  readonly byModel: readonly ModelUsage[];
}

/** A tenant's token use on one day (UTC). */
export interface DailyTokens {
  /** YYYY-MM-DD, UTC. */
  readonly day: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly calls: number;
}

/** A tenant's tokens used today against its maxTokensPerDay (null: no limit). */
export interface TokenBudget {
  readonly day: string;
  readonly used: number;
  readonly limit: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Tokens used by LLM calls, in Redis: on each run (its `usage`) and per tenant per day (UTC, on
 * Redis's clock), where maxTokensPerDay is checked before every call. One script call after a call
 * and one before; the tenant's days are kept TOKEN_DAYS_KEPT days.
 */
@Injectable()
export class TokenUsage {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async record(tenantId: TenantId, runId: RunId, call: CallTokens): Promise<void> {
    await this.redis.bulkheadRecordTokens(
      this.keys.run(tenantId, runId),
      this.keys.tokenUsage(tenantId),
      call.provider,
      call.model.slice(0, MAX_MODEL_NAME),
      tokenCount(call.inputTokens),
      tokenCount(call.outputTokens),
      MAX_RUN_USAGE_ENTRIES,
      TOKEN_DAYS_KEPT,
    );
  }

  async budget(tenantId: TenantId): Promise<TokenBudget> {
    const [today, used, limit] = await this.redis.bulkheadTokenBudget(
      this.keys.tenantLimits(tenantId),
      this.keys.tokenUsage(tenantId),
      this.config.TENANT_MAX_TOKENS_PER_DAY,
    );
    return { day: dayOf(today), used, limit: limit > 0 ? limit : null };
  }

  /** Today's use first (zero when none yet), then each earlier kept day that had any, newest first. */
  async byDay(tenantId: TenantId): Promise<DailyTokens[]> {
    const [[, clock], [, fields]] = (await this.redis
      .pipeline()
      .time()
      .hgetall(this.keys.tokenUsage(tenantId))
      .exec()) as [[unknown, [string, string]], [unknown, Record<string, string>]];
    const today = Math.floor((Number(clock[0]) * 1_000) / DAY_MS);
    const days = new Map<number, { inputTokens: number; outputTokens: number; calls: number }>();
    days.set(today, { inputTokens: 0, outputTokens: 0, calls: 0 });
    for (const [field, value] of Object.entries(fields)) {
      const [dayText, measure] = field.split(':');
      const day = Number(dayText);
      if (!Number.isInteger(day) || day <= today - TOKEN_DAYS_KEPT || day > today) {
        continue;
      }
      const entry = days.get(day) ?? { inputTokens: 0, outputTokens: 0, calls: 0 };
      const counted = countedBy(measure);
      if (counted !== undefined) {
        entry[counted] = Number(value);
      }
      days.set(day, entry);
    }
    return [...days.entries()]
      .sort(([a], [b]) => b - a)
      .map(([day, entry]) => ({ day: dayOf(day), ...entry }));
  }
}

/**
 * A provider's count as Redis's HINCRBY takes it: a whole number from 0 to MAX_CALL_TOKENS, so a
 * provider's nonsense (negative, NaN, 1e300) can neither fail the call nor wrap a tenant's total.
 */
function tokenCount(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.min(Math.floor(value), MAX_CALL_TOKENS) : 0;
}

/** What a field suffix of the tenant's hash counts. */
function countedBy(suffix: string | undefined): keyof Omit<DailyTokens, 'day'> | undefined {
  switch (suffix) {
    case 'input':
      return 'inputTokens';
    case 'output':
      return 'outputTokens';
    case 'calls':
      return 'calls';
    case undefined:
    default:
      return undefined;
  }
}

function dayOf(daysSinceEpoch: number): string {
  return new Date(daysSinceEpoch * DAY_MS).toISOString().slice(0, 10);
}
