import { Inject, Injectable } from '@nestjs/common';
import { RunId, TenantId } from '@bulkhead/context';
import type { Redis } from 'ioredis';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';
import { RunEvent } from './run';
import { RunStore } from './run-store';

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
    const args = [...this.runs.scriptArgs(tenantId, runId), type, JSON.stringify(data ?? null)];
    const id = await this.redis.bulkheadAppendEvent(...args);
    return id > 0 ? id : undefined;
  }

  /** Stored events with id greater than `after`, oldest first, at most `limit`. */
  async readAfter(
    tenantId: TenantId,
    runId: RunId,
    after: number,
    limit: number,
  ): Promise<RunEvent[]> {
    const key = this.keys.runEvents(tenantId, runId);
    const entries = await this.redis.xrange(key, `(${after}-0`, '+', 'COUNT', limit);
    return entries.map(([streamId, fields]) => toEvent(runId, streamId, fields));
  }
}

function toEvent(runId: RunId, streamId: string, fields: string[]): RunEvent {
  const record = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) record.set(fields[i] ?? '', fields[i + 1] ?? '');
  return {
    id: Number(streamId.split('-')[0]),
    runId,
    type: record.get('type') ?? '',
    data: JSON.parse(record.get('data') ?? 'null'),
    ts: record.get('ts') ?? '',
  };
}
