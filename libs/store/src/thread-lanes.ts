import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';

/** Runs that may wait behind a thread's current one; one more is refused until the line moves. */
export const MAX_WAITING_RUNS_PER_THREAD = 100;
/** The runs a thread keeps (runs.list), newest first; older ones drop off it (404 under /lg). */
export const MAX_LISTED_RUNS_PER_THREAD = 1_000;
/** How long a run claimed on a thread but not recorded yet holds its place: its API is writing it. */
const CLAIM_GRACE_MS = 10_000;
/** A run made active and still queued this long may have lost its enqueue: it is enqueued again. */
const REENQUEUE_AFTER_MS = 5_000;

export const MULTITASK_STRATEGIES = Object.freeze([
  'reject',
  'enqueue',
  'interrupt',
  'rollback',
] as const);
export type MultitaskStrategy = (typeof MULTITASK_STRATEGIES)[number];

/** What the LangGraph API keeps of one of its runs beside the run's record. */
export const agentRunSchema = z.object({
  threadId: z.string(),
  /** A run created without a thread: its thread id is its own run id, and no thread is stored. */
  stateless: z.boolean(),
  assistantId: z.string(),
  streamModes: z.array(z.string()),
  strategy: z.enum(MULTITASK_STRATEGIES).nullable(),
});
export type AgentRun = z.output<typeof agentRunSchema>;

export type Claim =
  | { readonly kind: 'missing' | 'busy' | 'full' | 'start' | 'wait' }
  | { readonly kind: 'preempt'; readonly preempted: readonly RunId[] };

/** A run whose turn came: the caller enqueues its job (as handed to claim) at that priority. */
export interface TurnTaken {
  readonly runId: RunId;
  readonly jobJson: string;
  readonly priority: number;
}

export interface Advance {
  /** Runs still waiting behind the active one. */
  readonly waiting: number;
  readonly next?: TurnTaken;
}

export interface WaitingLane {
  readonly tenantId: TenantId;
  readonly threadId: string;
}

/**
 * The runs of each thread, one at a time in the order the multitask strategies say, across every
 * API and worker process: the lane scripts (thread-lane-scripts.ts) decide in Redis. A run that
 * waits has its record (queued) but no job until its turn; whoever advances the lane (the API that
 * changed it, or any API's sweeper) enqueues it. Every method takes the tenant first.
 */
@Injectable()
export class ThreadLanes {
  private readonly retentionSeconds: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.retentionSeconds = config.RUN_RETENTION_SECONDS;
  }

  /** A new run's place on its thread; see bulkheadClaimThreadRun. */
  async claim(
    tenantId: TenantId,
    runId: RunId,
    run: AgentRun & { readonly strategy: MultitaskStrategy },
    jobJson: string,
  ): Promise<Claim> {
    const [kind, ...preempted] = await this.redis.bulkheadClaimThreadRun(
      ...this.laneKeys(tenantId, run.threadId, runId),
      runId,
      run.strategy,
      jobJson,
      this.keys.runKeyPrefix(tenantId),
      CLAIM_GRACE_MS,
      MAX_WAITING_RUNS_PER_THREAD,
      MAX_LISTED_RUNS_PER_THREAD,
      JSON.stringify(run),
      this.retentionSeconds,
    );
    if (kind === 'preempt') {
      return { kind, preempted: preempted as RunId[] };
    }
    return { kind };
  }

  /** Takes back a claim whose run was not recorded. */
  async release(tenantId: TenantId, threadId: string, runId: RunId): Promise<void> {
    await this.redis.bulkheadReleaseThreadRun(...this.laneKeys(tenantId, threadId, runId), runId);
  }

  /** Moves the line once the active run has ended; see bulkheadAdvanceThread. */
  async advance(tenantId: TenantId, threadId: string): Promise<Advance> {
    const [, waiting, runId, jobJson, priority] = await this.redis.bulkheadAdvanceThread(
      this.keys.thread(tenantId, threadId),
      this.keys.threadWaiting(tenantId, threadId),
      this.keys.threadJobs(tenantId, threadId),
      this.keys.backlogPeak(tenantId),
      this.keys.runKeyPrefix(tenantId),
      CLAIM_GRACE_MS,
      REENQUEUE_AFTER_MS,
    );
    const next =
      runId && jobJson
        ? { runId: runId as RunId, jobJson, priority: Number(priority ?? 1) }
        : undefined;
    return { waiting: Number(waiting), ...(next ? { next } : {}) };
  }

  /** A stateless run's record (no thread, no lane). */
  async recordStateless(tenantId: TenantId, runId: RunId, run: AgentRun): Promise<void> {
    await this.redis.set(
      this.keys.agentRun(tenantId, runId),
      JSON.stringify(run),
      'EX',
      this.retentionSeconds,
    );
  }

  /** What the LangGraph API knows of a run; undefined for a run it did not create, or expired. */
  async agentRun(tenantId: TenantId, runId: RunId): Promise<AgentRun | undefined> {
    const text = await this.redis.get(this.keys.agentRun(tenantId, runId));
    if (text === null) {
      return undefined;
    }
    const parsed = agentRunSchema.safeParse(parseJson(text));
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Whether the run still has its place in the thread's lane (active, or waiting): a run preempted
   * while its API was recording it has not, and must not start.
   */
  async holds(tenantId: TenantId, threadId: string, runId: RunId): Promise<boolean> {
    const jobs = this.keys.threadJobs(tenantId, threadId);
    const replies = await this.redis
      .multi()
      .hget(this.keys.thread(tenantId, threadId), 'active')
      .hexists(jobs, runId)
      .hexists(jobs, `${runId}:preempted`)
      .exec();
    const [active, waiting, preempted] = (replies ?? []).map(([, value]) => value);
    return preempted !== 1 && (active === runId || waiting === 1);
  }

  /** Whether the run is listed on the thread (a rolled-back run no longer is). */
  async isOnThread(tenantId: TenantId, threadId: string, runId: RunId): Promise<boolean> {
    const score = await this.redis.zscore(this.keys.threadRuns(tenantId, threadId), runId);
    return score !== null;
  }

  /** Takes a run off its thread: a rolled-back run reads as deleted. */
  async forget(tenantId: TenantId, threadId: string, runId: RunId): Promise<void> {
    await this.redis.zrem(this.keys.threadRuns(tenantId, threadId), runId);
  }

  /** The thread's runs, newest first. */
  async runsOf(
    tenantId: TenantId,
    threadId: string,
    page: { readonly limit: number; readonly offset: number },
  ): Promise<RunId[]> {
    const ids = await this.redis.zrange(
      this.keys.threadRuns(tenantId, threadId),
      String(page.offset),
      String(page.offset + page.limit - 1),
      'REV',
    );
    return ids as RunId[];
  }

  /** Marks a lane for the sweepers: it has runs waiting. */
  async markWaiting(tenantId: TenantId, threadId: string): Promise<void> {
    await this.redis.zadd(this.keys.waitingLanes, Date.now(), laneMember(tenantId, threadId));
  }

  /**
   * Takes up to `limit` marked lanes off the mark, oldest mark first; the sweeper marks again those
   * that still have runs waiting after it advanced them.
   */
  async takeWaiting(limit: number): Promise<WaitingLane[]> {
    const members = await this.redis.zpopmin(this.keys.waitingLanes, limit);
    const lanes: WaitingLane[] = [];
    for (let i = 0; i < members.length; i += 2) {
      const lane = laneOf(members[i] ?? '');
      if (lane) {
        lanes.push(lane);
      }
    }
    return lanes;
  }

  private laneKeys(tenantId: TenantId, threadId: string, runId: RunId) {
    return [
      this.keys.thread(tenantId, threadId),
      this.keys.threadRuns(tenantId, threadId),
      this.keys.threadWaiting(tenantId, threadId),
      this.keys.threadJobs(tenantId, threadId),
      this.keys.agentRun(tenantId, runId),
    ] as const;
  }
}

function laneMember(tenantId: TenantId, threadId: string): string {
  return `${tenantId} ${threadId}`;
}

function laneOf(member: string): WaitingLane | undefined {
  const [tenantId, threadId] = member.split(' ');
  return tenantId && threadId ? { tenantId: tenantId as TenantId, threadId } : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
