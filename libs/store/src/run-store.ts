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
import {
  CancelOutcome,
  ParkOutcome,
  RunKeys,
  RunScript,
  RunScriptContext,
  Transition as ScriptTransition,
  appendEvent,
  callScript,
  cancelRun,
  finishRun,
  parkRun,
  releaseClaim,
  requeueRun,
  startRun,
  submitRun,
  wakeParked,
} from './run-scripts';
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
  /** The run's queue priority: its tenant's backlog (run-scripts/lua/priority.lua.ts); 0 for a replay. */
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
  | {
      readonly kind: 'started';
      readonly attempt: number;
      /** The run's agent and input, read in the same step, so the worker needs no other read. */
      readonly agent: string;
      readonly input: unknown;
      /** How long ago the run first started, on Redis's clock: its maximum duration counts from there. */
      readonly elapsedMs: number;
    }
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

export { ParkOutcome, CancelOutcome };

/** A succeeded run's output arrives encoded: the attempt that produced it checked it is JSON. */
export type Outcome =
  | { readonly status: 'succeeded'; readonly outputJson: string }
  | { readonly status: 'failed'; readonly error: RunError };

/**
 * Run records of every tenant. Each method takes the tenant first and touches only that tenant's keys;
 * status changes are atomic scripts (run-scripts/) that also append the lifecycle event.
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
    const outcome = await this.call(submitRun, tenantId, run.id, {
      claimKey,
      rateKey: this.keys.submissionRate(tenantId),
      peakKey: this.keys.backlogPeak(tenantId),
      agent: run.agent,
      inputJson: JSON.stringify(run.input),
      metadataJson: run.metadata ? JSON.stringify(run.metadata) : '',
      requestHash: idempotency?.requestHash ?? '',
    });
    switch (outcome.kind) {
      case 'queued':
        return {
          run: this.recordOf(outcome.record, run.id),
          replayed: false,
          priority: outcome.priority,
        };
      case 'storage_quota':
        throw new StorageQuotaError(outcome.limit);
      case 'queue_full':
        throw new QueueFullError(outcome.limit);
      case 'rate_limited':
        throw new SubmissionRateLimitedError(outcome.retryInMs);
      case 'exists':
        throw new Error(`Run id ${run.id} was taken: run ids must be new.`);
      case 'duplicate':
        return this.replay(tenantId, run, idempotency, claimKey, outcome);
    }
  }

  /**
   * A repeat of an idempotent submission: its first run (or 409 for another request under the same
   * key); once that run has expired the key is free again and the submission is made afresh.
   */
  private async replay(
    tenantId: TenantId,
    run: NewRun,
    idempotency: IdempotencyClaim | undefined,
    claimKey: string,
    claim: { readonly runId: string; readonly requestHash: string },
  ): Promise<Submitted> {
    const first = await this.find(tenantId, claim.runId);
    if (first && claim.requestHash !== idempotency?.requestHash) {
      throw new IdempotencyKeyReusedError();
    }
    if (first) {
      return { run: first, replayed: true, priority: 0 };
    }
    await this.call(releaseClaim, tenantId, run.id, {
      claimKey,
      held: `${claim.runId} ${claim.requestHash}`,
    });
    return this.submit(tenantId, run, idempotency);
  }

  private recordOf(record: Record<string, string>, runId: RunId): Run {
    const parsed = parseRun(record);
    if (!parsed) {
      throw new Error(`Run ${runId} was recorded without its fields.`);
    }
    return parsed;
  }

  async find(tenantId: TenantId, runId: string): Promise<Run | undefined> {
    if (!isRunId(runId)) {
      return undefined;
    }
    const hash = await this.redis.hgetall(this.keys.run(tenantId, runId));
    return parseRun(hash);
  }

  /** The run, or RunNotFoundError: the same answer for a missing run and another tenant's. */
  async get(tenantId: TenantId, runId: string): Promise<Run> {
    const run = await this.find(tenantId, runId);
    if (!run) {
      throw new RunNotFoundError(runId);
    }
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
    const outcome = await this.call(startRun, tenantId, runId, undefined);
    switch (outcome.kind) {
      case 'started': {
        const { attempt, agent, inputJson, elapsedMs } = outcome;
        return { kind: 'started', attempt, agent, elapsedMs, input: parseJsonOrNull(inputJson) };
      }
      case 'finished':
        return { kind: 'finished', status: asStatus(outcome.status) };
      case 'at_capacity':
      case 'cancelled':
      case 'missing':
        return { kind: outcome.kind };
    }
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
    const [field, valueJson] =
      outcome.status === 'succeeded'
        ? (['output', outcome.outputJson] as const)
        : (['error', JSON.stringify(outcome.error)] as const);
    const eventJson = `{"${field}":${valueJson}}`;
    const args = { status: outcome.status, field, valueJson, eventJson };
    return woke(await this.call(finishRun, tenantId, runId, args));
  }

  /** After its job was delayed, parks a run that found its tenant at maxConcurrentRuns. */
  park(tenantId: TenantId, runId: RunId): Promise<ParkOutcome> {
    return this.call(parkRun, tenantId, runId, undefined);
  }

  requestCancel(tenantId: TenantId, runId: RunId): Promise<CancelOutcome> {
    return this.call(cancelRun, tenantId, runId, { cancelChannel: this.keys.cancelChannel });
  }

  /** Appends an agent's event to a running run; its id, or undefined when the run is not running. */
  appendEvent(
    tenantId: TenantId,
    runId: RunId,
    type: string,
    dataJson: string,
  ): Promise<number | undefined> {
    return this.call(appendEvent, tenantId, runId, { type, dataJson });
  }

  /** After a change of the tenant's limits: the parked runs that may start now, to promote. */
  async wakeParked(tenantId: TenantId): Promise<RunId[]> {
    const woken = await this.call(wakeParked, tenantId, undefined, undefined);
    return woken as RunId[];
  }

  /**
   * The agents of woken runs, whose jobs wait in their agents' queues to be promoted; a run whose
   * record is gone (it ended and expired) has no job left and is left out.
   */
  async agentsOf(
    tenantId: TenantId,
    runIds: readonly RunId[],
  ): Promise<{ runId: RunId; agent: string }[]> {
    if (runIds.length === 0) {
      return [];
    }
    const pipeline = this.redis.pipeline();
    for (const runId of runIds) {
      pipeline.hget(this.keys.run(tenantId, runId), 'agent');
    }
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, agent], i) => {
      if (error) {
        throw error;
      }
      const runId = runIds[i];
      return typeof agent === 'string' && runId !== undefined ? [{ runId, agent }] : [];
    });
  }

  private async backToQueue(
    tenantId: TenantId,
    runId: RunId,
    event: 'run.retrying' | 'run.requeued',
    data: JsonObject,
  ): Promise<Transition> {
    const args = { event, dataJson: JSON.stringify(data) };
    return woke(await this.call(requeueRun, tenantId, runId, args));
  }

  /** Runs one script with the tenant's keys and the shared context (see run-scripts/). */
  private call<Args, Result>(
    script: RunScript<Args, Result>,
    tenantId: TenantId,
    runId: RunId | undefined,
    args: Args,
  ): Promise<Result> {
    return callScript(
      this.redis,
      script,
      this.runKeys(tenantId, runId),
      this.context(tenantId, runId),
      args,
    );
  }

  private runKeys(tenantId: TenantId, runId: RunId | undefined): RunKeys {
    const id = runId ?? ('run_none' as RunId);
    const k = this.keys;
    return {
      run: k.run(tenantId, id),
      events: k.runEvents(tenantId, id),
      all: k.runIndex(tenantId),
      queued: k.runIndex(tenantId, 'queued'),
      running: k.runIndex(tenantId, 'running'),
      succeeded: k.runIndex(tenantId, 'succeeded'),
      failed: k.runIndex(tenantId, 'failed'),
      cancelled: k.runIndex(tenantId, 'cancelled'),
      order: k.runOrder(tenantId),
      parked: k.parkedRuns(tenantId),
      limits: k.tenantLimits(tenantId),
      woken: k.wokenRuns(tenantId),
      finished: k.finishedRuns(tenantId),
    };
  }

  private context(tenantId: TenantId, runId: RunId | undefined): RunScriptContext {
    const config = this.config;
    return {
      tenantId,
      runId: runId ?? '',
      now: new Date().toISOString(),
      maxEvents: config.EVENTS_MAX_PER_RUN,
      eventsChannel: this.keys.runEventsChannel,
      retentionSeconds: config.RUN_RETENTION_SECONDS,
      defaults: {
        maxConcurrentRuns: config.TENANT_MAX_CONCURRENT_RUNS,
        maxQueuedRuns: config.TENANT_MAX_QUEUED_RUNS,
        runsPerMinute: config.TENANT_RUNS_PER_MINUTE,
        maxStoredRuns: config.TENANT_MAX_STORED_RUNS,
      },
      fleetShare: this.fleet.tenantShare,
    };
  }

  private async readSummaries(tenantId: TenantId, ids: string[]): Promise<RunSummary[]> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.hmget(this.keys.run(tenantId, id as RunId), ...RUN_SUMMARY_FIELDS);
    }
    const replies = (await pipeline.exec()) ?? [];
    const runs: RunSummary[] = [];
    const expired: string[] = [];
    replies.forEach(([error, values], i) => {
      if (error) {
        throw error;
      }
      const run = parseSummaryFields(values as (string | null)[]);
      if (run) {
        runs.push(run);
      } else {
        expired.push(ids[i] ?? '');
      }
    });
    await this.forget(tenantId, expired);
    return runs;
  }

  /** Index entries of runs whose records expired after their retention. */
  private async forget(tenantId: TenantId, ids: string[]): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    const pipeline = this.redis.pipeline();
    pipeline.zrem(this.keys.runIndex(tenantId), ...ids);
    for (const status of RUN_STATUSES) {
      pipeline.zrem(this.keys.runIndex(tenantId, status), ...ids);
    }
    pipeline.zrem(this.keys.finishedRuns(tenantId), ...ids);
    await pipeline.exec();
  }
}

function woke(transition: ScriptTransition): Transition {
  return { outcome: transition.outcome, woken: transition.woken as RunId[] };
}

function asStatus(value: string): RunStatus {
  return RUN_STATUSES.find((status) => status === value) ?? 'failed';
}

function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** [member, score, member, score …] as Redis returns WITHSCORES, paired. */
function pairs(flat: string[]): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    result.push([flat[i] ?? '', flat[i + 1] ?? '']);
  }
  return result;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
