import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantId } from '@bulkhead/context';
import {
  IdempotencyKeyReusedError,
  QueueFullError,
  RunNotFoundError,
  StorageQuotaError,
  SubmissionRateLimitedError,
} from '@bulkhead/errors';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';
import {
  JsonObject,
  RUN_STATUSES,
  RUN_SUMMARY_FIELDS,
  Run,
  RunError,
  RunStatus,
  RunSummary,
} from './run';
import { isRunId } from './run-id';
import { parseRun, parseSummaryFields } from './run-record';
import { WorkerFleet } from './worker-fleet';

export interface NewRun {
  readonly id: RunId;
  readonly agent: string;
  readonly input: unknown;
  readonly metadata?: JsonObject;
}

export interface IdempotencyClaim {
  readonly key: string;
  /** A hash of the request, so a reused key with another request is told apart. */
  readonly requestHash: string;
}

export interface Submitted {
  readonly run: Run;
  /** True when an earlier request with the same idempotency key created the run. */
  readonly replayed: boolean;
  /** The run's queue priority: its tenant's backlog (see run-scripts.ts); 0 for a replay. */
  readonly priority: number;
}

export interface RunPage {
  readonly items: RunSummary[];
  readonly nextCursor: string | null;
}

export interface ListQuery {
  readonly status?: RunStatus;
  readonly limit: number;
  readonly cursor?: string;
}

export type StartOutcome =
  | { readonly kind: 'started'; readonly attempt: number }
  | { readonly kind: 'at_capacity' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'finished'; readonly status: RunStatus }
  | { readonly kind: 'missing' };

/**
 * What a transition that may free a running slot became ('queued', a status, 'finished', 'missing'), and
 * the tenant's parked runs it woke into free slots: the caller promotes their jobs.
 */
export interface Transition {
  readonly outcome: string;
  readonly woken: RunId[];
}

/** 'parked' until a slot frees; 'free' when one freed meanwhile; 'gone' when no longer queued. */
export type ParkOutcome = 'parked' | 'free' | 'gone';

/** 'cancelling': the run is running and its worker has been told; 'cancelled': it never started. */
export type CancelOutcome = 'cancelled' | 'cancelling' | 'finished' | 'missing';

/** A succeeded run's output arrives encoded: the attempt that produced it checked it is JSON. */
export type Outcome =
  | { readonly status: 'succeeded'; readonly outputJson: string }
  | { readonly status: 'failed'; readonly error: RunError };

/**
 * Run records of every tenant. Each method takes the tenant first and touches only that tenant's keys;
 * status changes are atomic scripts (run-scripts.ts) that also append the lifecycle event.
 */
@Injectable()
export class RunStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly fleet: WorkerFleet,
  ) {}

  /**
   * Records a new run (queued, with its run.queued event). With an idempotency key, the same tenant's
   * same key within 24 h returns the run it first created instead (`replayed`), or throws
   * IdempotencyKeyReusedError when the request differs; the claim and the run are one atomic step. A
   * claim whose run has expired is released and the submission made afresh.
   */
  async submit(
    tenantId: TenantId,
    run: NewRun,
    idempotency?: IdempotencyClaim,
  ): Promise<Submitted> {
    const claimKey = this.keys.idempotency(tenantId, digest(idempotency?.key ?? ''));
    const [outcome, detail, firstHash] = await this.runSubmitScript(
      tenantId,
      run,
      claimKey,
      idempotency,
    );
    if (outcome === 'storage_quota') throw new StorageQuotaError(Number(detail));
    if (outcome === 'queue_full') throw new QueueFullError(Number(detail));
    if (outcome === 'rate_limited') throw new SubmissionRateLimitedError(Number(detail));
    if (outcome !== 'duplicate') {
      return { run: await this.get(tenantId, run.id), replayed: false, priority: Number(detail) };
    }
    if (firstHash !== idempotency?.requestHash) throw new IdempotencyKeyReusedError();
    const first = await this.find(tenantId, String(detail));
    if (first) return { run: first, replayed: true, priority: 0 };
    await this.redis.bulkheadReleaseClaim(claimKey, `${String(detail)} ${String(firstHash)}`);
    return this.submit(tenantId, run, idempotency);
  }

  private runSubmitScript(
    tenantId: TenantId,
    run: NewRun,
    claimKey: string,
    idempotency: IdempotencyClaim | undefined,
  ): Promise<string[]> {
    const submitKeys = [
      claimKey,
      this.keys.submissionRate(tenantId),
      this.keys.backlogPeak(tenantId),
    ];
    const metadata = run.metadata ? JSON.stringify(run.metadata) : '';
    const args = [run.agent, JSON.stringify(run.input), metadata, idempotency?.requestHash ?? ''];
    return this.redis.bulkheadSubmitRun(
      ...this.scriptKeys(tenantId, run.id),
      ...submitKeys,
      ...this.scriptArgv(tenantId, run.id),
      ...args,
    );
  }

  async find(tenantId: TenantId, runId: string): Promise<Run | undefined> {
    if (!isRunId(runId)) return undefined;
    const hash = await this.redis.hgetall(this.keys.run(tenantId, runId));
    return parseRun(hash);
  }

  /** The run, or RunNotFoundError: the same answer for a missing run and another tenant's. */
  async get(tenantId: TenantId, runId: string): Promise<Run> {
    const run = await this.find(tenantId, runId);
    if (!run) throw new RunNotFoundError(runId);
    return run;
  }

  async list(tenantId: TenantId, query: ListQuery): Promise<RunPage> {
    const index = this.keys.runIndex(tenantId, query.status);
    const start = query.cursor ? `(${query.cursor}` : '+inf';
    const scored = await this.redis.zrange(
      index,
      start,
      '-inf',
      'BYSCORE',
      'REV',
      'LIMIT',
      0,
      query.limit + 1,
      'WITHSCORES',
    );
    const entries = pairs(scored).slice(0, query.limit);
    const runs = await this.readSummaries(
      tenantId,
      entries.map(([id]) => id),
    );
    const last = entries[entries.length - 1];
    const nextCursor = scored.length > 2 * query.limit && last ? last[1] : null;
    return { items: runs, nextCursor };
  }

  async start(tenantId: TenantId, runId: RunId): Promise<StartOutcome> {
    const [kind, detail] = await this.redis.bulkheadStartRun(...this.scriptArgs(tenantId, runId));
    if (kind === 'started') return { kind, attempt: Number(detail) };
    if (kind === 'finished') return { kind, status: String(detail) as RunStatus };
    if (kind === 'at_capacity') return { kind };
    return kind === 'cancelled' ? { kind } : { kind: 'missing' };
  }

  /** Puts a running run back in the queue after a failed attempt; 'queued', or what it was instead. */
  retry(tenantId: TenantId, runId: RunId, retrying: JsonObject): Promise<Transition> {
    return this.backToQueue(tenantId, runId, 'run.retrying', retrying);
  }

  /** Hands a running run back to the queue unfinished (its worker is stopping); as retry(). */
  requeue(tenantId: TenantId, runId: RunId, requeued: JsonObject): Promise<Transition> {
    return this.backToQueue(tenantId, runId, 'run.requeued', requeued);
  }

  /** Records an attempt's outcome; a run whose cancel was accepted ends cancelled whatever happened. */
  async finish(tenantId: TenantId, runId: RunId, outcome: Outcome): Promise<Transition> {
    const [field, json] =
      outcome.status === 'succeeded'
        ? ['output', outcome.outputJson]
        : ['error', JSON.stringify(outcome.error)];
    const args = [outcome.status, field, json, `{"${field}":${json}}`];
    const reply = await this.redis.bulkheadFinishRun(...this.scriptArgs(tenantId, runId), ...args);
    return transitionOf(reply);
  }

  /** After its job was delayed, parks a run that found its tenant at maxConcurrentRuns. */
  async park(tenantId: TenantId, runId: RunId): Promise<ParkOutcome> {
    const [outcome] = await this.redis.bulkheadParkRun(...this.scriptArgs(tenantId, runId));
    return outcome as ParkOutcome;
  }

  async requestCancel(tenantId: TenantId, runId: RunId): Promise<CancelOutcome> {
    const args = [...this.scriptArgs(tenantId, runId), this.keys.cancelChannel];
    const [result] = await this.redis.bulkheadCancelRun(...args);
    return (result ?? 'missing') as CancelOutcome;
  }

  private async backToQueue(
    tenantId: TenantId,
    runId: RunId,
    event: string,
    data: JsonObject,
  ): Promise<Transition> {
    const args = [...this.scriptArgs(tenantId, runId), event, JSON.stringify(data)];
    return transitionOf(await this.redis.bulkheadRequeueRun(...args));
  }

  /** KEYS then the shared ARGV of every run script (see run-scripts.ts). */
  scriptArgs(tenantId: TenantId, runId: RunId): Array<string | number> {
    return [...this.scriptKeys(tenantId, runId), ...this.scriptArgv(tenantId, runId)];
  }

  private scriptKeys(tenantId: TenantId, runId: RunId): string[] {
    const statusIndexes = RUN_STATUSES.map((status) => this.keys.runIndex(tenantId, status));
    return [
      this.keys.run(tenantId, runId),
      this.keys.runEvents(tenantId, runId),
      this.keys.runIndex(tenantId),
      ...statusIndexes,
      this.keys.runOrder(tenantId),
      this.keys.parkedRuns(tenantId),
      this.keys.tenantLimits(tenantId),
      this.keys.wokenRuns(tenantId),
      this.keys.finishedRuns(tenantId),
    ];
  }

  private scriptArgv(tenantId: TenantId, runId: RunId): Array<string | number> {
    return [
      this.config.EVENTS_MAX_PER_RUN,
      this.keys.runEventsChannel,
      tenantId,
      runId,
      new Date().toISOString(),
      this.config.RUN_RETENTION_SECONDS,
      this.config.TENANT_MAX_CONCURRENT_RUNS,
      this.config.TENANT_MAX_QUEUED_RUNS,
      this.config.TENANT_RUNS_PER_MINUTE,
      this.config.TENANT_MAX_STORED_RUNS,
      this.fleet.tenantShare,
    ];
  }

  private async readSummaries(tenantId: TenantId, ids: string[]): Promise<RunSummary[]> {
    const pipeline = this.redis.pipeline();
    for (const id of ids)
      pipeline.hmget(this.keys.run(tenantId, id as RunId), ...RUN_SUMMARY_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const runs: RunSummary[] = [];
    const expired: string[] = [];
    replies.forEach(([error, values], i) => {
      if (error) throw error;
      const run = parseSummaryFields(values as (string | null)[]);
      if (run) runs.push(run);
      else expired.push(ids[i] ?? '');
    });
    await this.forget(tenantId, expired);
    return runs;
  }

  /** Index entries of runs whose records expired after their retention. */
  private async forget(tenantId: TenantId, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.redis.pipeline();
    pipeline.zrem(this.keys.runIndex(tenantId), ...ids);
    for (const status of RUN_STATUSES) pipeline.zrem(this.keys.runIndex(tenantId, status), ...ids);
    pipeline.zrem(this.keys.finishedRuns(tenantId), ...ids);
    await pipeline.exec();
  }
}

function transitionOf([outcome, woken]: [string, string[]]): Transition {
  return { outcome: outcome ?? 'missing', woken: (woken ?? []) as RunId[] };
}

/** [member, score, member, score …] as Redis returns WITHSCORES, paired. */
function pairs(flat: string[]): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i] ?? '', flat[i + 1] ?? '']);
  return result;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
