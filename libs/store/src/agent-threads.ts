import { Inject, Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
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
}

export type ThreadCreation =
  | { readonly kind: 'created' | 'exists'; readonly thread: StoredThread }
  | { readonly kind: 'full' };

export interface ThreadQuery {
  /** Every key equal (as JSON) in the thread's metadata. */
  readonly metadata?: Record<string, unknown> | undefined;
  readonly ids?: readonly string[] | undefined;
  readonly limit: number;
  readonly offset: number;
  readonly order: 'asc' | 'desc';
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

  async delete(tenantId: TenantId, threadId: string): Promise<boolean> {
    const existed = await this.redis.bulkheadDeleteThread(
      this.keys.thread(tenantId, threadId),
      this.keys.threadIndex(tenantId),
      threadId,
    );
    return existed === 1;
  }

  /**
   * The matching threads in creation order: the index is read once (at most
   * MAX_THREADS_PER_TENANT ids, so a page does not shift under concurrent creations), narrowed to
   * `ids` when given, then threads are read SEARCH_CHUNK at a time until the page is full.
   */
  async search(tenantId: TenantId, query: ThreadQuery): Promise<StoredThread[]> {
    const index = this.keys.threadIndex(tenantId);
    const ordered =
      query.order === 'desc'
        ? await this.redis.zrange(index, '0', '-1', 'REV')
        : await this.redis.zrange(index, '0', '-1');
    const wantedIds = query.ids === undefined ? undefined : new Set(query.ids);
    const candidates = wantedIds ? ordered.filter((id) => wantedIds.has(id)) : ordered;
    const wanted = query.offset + query.limit;
    const matching: StoredThread[] = [];
    for (
      let start = 0;
      start < candidates.length && matching.length < wanted;
      start += SEARCH_CHUNK
    ) {
      const threads = await this.threadsOf(tenantId, candidates.slice(start, start + SEARCH_CHUNK));
      matching.push(...threads.filter((thread) => matches(thread, query)));
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
  };
}

function matches(thread: StoredThread, query: ThreadQuery): boolean {
  return Object.entries(query.metadata ?? {}).every(
    ([key, value]) => JSON.stringify(thread.metadata[key]) === JSON.stringify(value),
  );
}

function metadataOf(text: string | undefined): Record<string, unknown> {
  return parseJsonObject(text) ?? {};
}

function isoOf(ms: string | undefined): string {
  const value = Number(ms);
  return new Date(Number.isFinite(value) ? value : 0).toISOString();
}
