import { Inject, Injectable } from '@nestjs/common';
import { RunId, TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { StreamEntry } from './event-batch-script';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';
import { RunEvent } from './run';
import { RunStore } from './run-store';

/** What one page of events may hold, about: a client reads on after its last id. */
export const EVENT_PAGE_MAX_BYTES = 1_048_576;

/** What JSON adds to an event's stored fields when it is sent: braces, keys, quotes and the run id. */
const ENVELOPE_BYTES = 64;

export interface SizedEvent {
  readonly event: RunEvent;
  /** About what the event weighs once encoded for a socket. */
  readonly bytes: number;
}

export interface EventBatch {
  readonly events: readonly SizedEvent[];
  /** Whether a bound cut the batch short, so more events may be stored after its last one. */
  readonly more: boolean;
}

export interface BatchBounds {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/**
 * Each run's events: a Redis stream per run, trimmed to EVENTS_MAX_PER_RUN and expiring with its run.
 * The stream is the only source of truth: replay and live delivery both read it after a cursor, so
 * they cannot disagree. Event ids are 1, 2, 3 … within a run (stream ids `n-0`).
 */
@Injectable()
export class EventLog {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly runs: RunStore,
  ) {}

  /** Appends an agent's event to a running run; returns its id, or undefined if the run is not running. */
  async append(
    tenantId: TenantId,
    runId: RunId,
    type: string,
    data: unknown,
  ): Promise<number | undefined> {
    return this.runs.appendEvent(tenantId, runId, type, JSON.stringify(data ?? null));
  }

  /**
   * Stored events with id greater than `after`, oldest first: at most `limit`, and no more once they
   * add up to about EVENT_PAGE_MAX_BYTES (always at least one). A short page is not the end: read
   * again after its last id until a page is empty.
   */
  async readAfter(
    tenantId: TenantId,
    runId: RunId,
    after: number,
    limit: number,
  ): Promise<RunEvent[]> {
    const bounds = { maxEvents: limit, maxBytes: EVENT_PAGE_MAX_BYTES };
    const batch = await this.readBatch(tenantId, runId, after, bounds);
    return batch.events.map(({ event }) => event);
  }

  /**
   * The id of the last event of each of a tenant's runs (0 for a run that has none or no longer
   * exists), in one round trip: what a subscription compares its cursor with before it reads.
   */
  async lastIds(tenantId: TenantId, runIds: readonly RunId[]): Promise<Map<RunId, number>> {
    const pipeline = this.redis.pipeline();
    for (const runId of runIds) {
      pipeline.hget(this.keys.run(tenantId, runId), 'seq');
    }
    const replies = (await pipeline.exec()) ?? [];
    const last = new Map<RunId, number>();
    runIds.forEach((runId, i) => {
      const [error, seq] = replies[i] ?? [null, null];
      last.set(runId, error || typeof seq !== 'string' ? 0 : Number(seq));
    });
    return last;
  }

  /**
   * Events after `after` within `bounds`, each with its size, in one round trip (the stream is read
   * in chunks by a script, so a batch of large events never sits in memory whole): for delivery that
   * must not hold more for one socket than its budget. Throws what Redis throws.
   */
  async readBatch(
    tenantId: TenantId,
    runId: RunId,
    after: number,
    bounds: BatchBounds,
  ): Promise<EventBatch> {
    const key = this.keys.runEvents(tenantId, runId);
    const [more, entries] = await this.redis.bulkheadReadEventBatch(
      key,
      after,
      bounds.maxEvents,
      bounds.maxBytes,
      ENVELOPE_BYTES + Buffer.byteLength(runId),
    );
    return { more: more === 1, events: entries.map((entry) => sizedEvent(runId, entry)) };
  }
}

function sizedEvent(runId: RunId, [streamId, fields]: StreamEntry): SizedEvent {
  const record = new Map<string, string>();
  let bytes = ENVELOPE_BYTES + Buffer.byteLength(runId);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i] ?? '';
    const value = fields[i + 1] ?? '';
    record.set(name, value);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  const event: RunEvent = {
    id: Number(streamId.split('-')[0]),
    runId,
    type: record.get('type') ?? '',
    data: parseData(record.get('data')),
    ts: record.get('ts') ?? '',
  };
  return { event, bytes };
}

/** Event data is written as JSON by the run scripts; anything else (a hand-edited stream) is null. */
function parseData(data: string | undefined): unknown {
  try {
    return JSON.parse(data ?? 'null') as unknown;
  } catch {
    return null;
  }
}
