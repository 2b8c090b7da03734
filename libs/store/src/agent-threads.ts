import { Inject, Injectable } from '@nestjs/common';
import { RunId, TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';
import { parseJsonObject } from './run-record';

/** Threads one tenant may hold; a creation beyond it is refused until one is deleted. */
export const MAX_THREADS_PER_TENANT = 10_000;
/** Threads a search reads from Redis per round trip while it filters (ids come from one index read). */
const SEARCH_CHUNK = 200;

/** A thread of the LangGraph API as stored: a tenant's container of runs, with metadata. */
export interface StoredThread {
  readonly id: string;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The run the thread executes or executed last (ThreadLanes). */
  readonly activeRunId?: string;
  /** The latest run that succeeded before the active one, whose output are its values. */
  readonly valuesRunId?: string;
}

export type ThreadStatus = 'idle' | 'busy' | 'error';

export interface ThreadState {
  readonly status: ThreadStatus;
  readonly values: Record<string, unknown>;
}

export interface ThreadDeletion {
  readonly existed: boolean;
  /** Its active run and the runs waiting on it, which the caller cancels. */
  readonly runs: readonly RunId[];
}

export type ThreadCreation =
  | { readonly kind: 'created' | 'exists'; readonly thread: StoredThread }
  | { readonly kind: 'full' };

export interface ThreadQuery {
  /** Every key equal (as JSON) in the thread's metadata. */
  readonly metadata?: Record<string, unknown> | undefined;
  readonly ids?: readonly string[] | undefined;
  readonly status?: ThreadStatus | 'interrupted' | undefined;
  /** Every key equal (as JSON) in the thread's values. */
  readonly values?: Record<string, unknown> | undefined;
  readonly limit: number;
  readonly offset: number;
  readonly order: 'asc' | 'desc';
}

/** A thread with what its runs make of it. */
export interface ThreadWithState {
  readonly thread: StoredThread;
  readonly state: ThreadState;
}

/**
 * The LangGraph API's threads, per tenant in Redis: a hash per thread and an index by creation
 * time, at most MAX_THREADS_PER_TENANT. Every method takes the tenant first; another tenant's
 * thread is simply not found.
 */
@Injectable()
export class AgentThreads {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async create(
    tenantId: TenantId,
    threadId: string,
    metadata: Record<string, unknown>,
  ): Promise<ThreadCreation> {
    const answer = await this.redis.bulkheadCreateThread(
      this.keys.thread(tenantId, threadId),
      this.keys.threadIndex(tenantId),
      this.keys.threadSequence(tenantId),
      threadId,
      JSON.stringify(metadata),
      MAX_THREADS_PER_TENANT,
    );
    if (answer[0] === 'full') {
      return { kind: 'full' };
    }
    const [kind, stored, createdMs, updatedMs] = answer;
    return {
      kind,
      thread: {
        id: threadId,
        metadata: metadataOf(stored),
        createdAt: isoOf(createdMs),
        updatedAt: isoOf(updatedMs),
      },
    };
  }

  async get(tenantId: TenantId, threadId: string): Promise<StoredThread | undefined> {
    return threadOf(await this.redis.hgetall(this.keys.thread(tenantId, threadId)));
  }

  /** Whether it existed, and its active and waiting runs: the caller cancels them. */
  async delete(tenantId: TenantId, threadId: string): Promise<ThreadDeletion> {
    const [existed, ...runs] = await this.redis.bulkheadDeleteThread(
      this.keys.thread(tenantId, threadId),
      this.keys.threadIndex(tenantId),
      this.keys.threadRuns(tenantId, threadId),
      this.keys.threadWaiting(tenantId, threadId),
      this.keys.threadJobs(tenantId, threadId),
      threadId,
    );
    return { existed: existed === 1, runs: runs as RunId[] };
  }

  /**
   * What the threads' runs make of them, in two round trips: busy while a run is pending or running
   * (or waiting), error after a failed run, idle otherwise; values are the output of the latest run
   * that succeeded ({} before any).
   */
  async statesOf(
    tenantId: TenantId,
    threads: readonly StoredThread[],
  ): Promise<Map<string, ThreadState>> {
    const lengths = this.redis.pipeline();
    const runs = this.redis.pipeline();
    for (const thread of threads) {
      lengths.llen(this.keys.threadWaiting(tenantId, thread.id));
      runs.hmget(this.keys.run(tenantId, (thread.activeRunId ?? '-') as RunId), 'status', 'output');
      runs.hget(this.keys.run(tenantId, (thread.valuesRunId ?? '-') as RunId), 'output');
    }
    const [waiting, read] = await Promise.all([lengths.exec(), runs.exec()]);
    const states = new Map<string, ThreadState>();
    threads.forEach((thread, i) => {
      const queued = Number(waiting?.[i]?.[1] ?? 0);
      const [status, output] = (read?.[2 * i]?.[1] as (string | null)[] | undefined) ?? [];
      const previous = read?.[2 * i + 1]?.[1] as string | null | undefined;
      states.set(
        thread.id,
        stateOf(queued, status ?? undefined, status === 'succeeded' ? output : previous),
      );
    });
    return states;
  }

  /**
   * The matching threads in creation order: the index is read once (at most
   * MAX_THREADS_PER_TENANT ids, so a page does not shift under concurrent creations), narrowed to
   * `ids` when given, then threads are read SEARCH_CHUNK at a time until the page is full.
   */
  async search(tenantId: TenantId, query: ThreadQuery): Promise<ThreadWithState[]> {
    const index = this.keys.threadIndex(tenantId);
    const ordered =
      query.order === 'desc'
        ? await this.redis.zrange(index, '0', '-1', 'REV')
        : await this.redis.zrange(index, '0', '-1');
    const wantedIds = query.ids === undefined ? undefined : new Set(query.ids);
    const candidates = wantedIds ? ordered.filter((id) => wantedIds.has(id)) : ordered;
    const wanted = query.offset + query.limit;
    const matching: ThreadWithState[] = [];
    for (
      let start = 0;
      start < candidates.length && matching.length < wanted;
      start += SEARCH_CHUNK
    ) {
      const threads = await this.threadsOf(tenantId, candidates.slice(start, start + SEARCH_CHUNK));
      const byMetadata = threads.filter((thread) => matches(thread.metadata, query.metadata));
      const states = await this.statesOf(tenantId, byMetadata);
      for (const thread of byMetadata) {
        const state = states.get(thread.id) ?? { status: 'idle', values: {} };
        if (
          (query.status === undefined || query.status === state.status) &&
          matches(state.values, query.values)
        ) {
          matching.push({ thread, state });
        }
      }
    }
    return matching.slice(query.offset, wanted);
  }

  private async threadsOf(tenantId: TenantId, ids: readonly string[]): Promise<StoredThread[]> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      pipeline.hgetall(this.keys.thread(tenantId, id));
    }
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, hash]) => {
      const thread = error ? undefined : threadOf(hash as Record<string, string>);
      return thread ? [thread] : [];
    });
  }
}

function threadOf(hash: Record<string, string>): StoredThread | undefined {
  if (!hash.id) {
    return undefined;
  }
  return {
    id: hash.id,
    metadata: metadataOf(hash.metadata),
    createdAt: isoOf(hash.createdMs),
    updatedAt: isoOf(hash.updatedMs),
    ...(hash.active ? { activeRunId: hash.active } : {}),
    ...(hash.valuesRun ? { valuesRunId: hash.valuesRun } : {}),
  };
}

function stateOf(
  waiting: number,
  status: string | undefined,
  output: string | null | undefined,
): ThreadState {
  const busy = waiting > 0 || status === 'queued' || status === 'running';
  return {
    status: busy ? 'busy' : status === 'failed' ? 'error' : 'idle',
    values: storedValuesOf(output),
  };
}

/** An output that is a JSON object is the values as it is; any other output is under `output`. */
export function valuesOf(output: unknown): Record<string, unknown> {
  if (output === undefined || output === null) {
    return {};
  }
  return typeof output === 'object' && !Array.isArray(output)
    ? (output as Record<string, unknown>)
    : { output };
}

function storedValuesOf(output: string | null | undefined): Record<string, unknown> {
  try {
    return valuesOf(output ? (JSON.parse(output) as unknown) : undefined);
  } catch {
    return {};
  }
}

function matches(
  fields: Record<string, unknown>,
  wanted: Record<string, unknown> | undefined,
): boolean {
  return Object.entries(wanted ?? {}).every(
    ([key, value]) => JSON.stringify(fields[key]) === JSON.stringify(value),
  );
}

function metadataOf(text: string | undefined): Record<string, unknown> {
  return parseJsonObject(text) ?? {};
}

function isoOf(ms: string | undefined): string {
  const value = Number(ms);
  return new Date(Number.isFinite(value) ? value : 0).toISOString();
}
