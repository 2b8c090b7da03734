import { RunId, TenantId, isTenantId } from '@bulkhead/context';
import { RUN_STATUSES, RunEvent, RunStatus, Transition, newRunId } from '@bulkhead/store';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { StoreApp } from './use-store';

const TERMINAL_EVENTS = ['run.succeeded', 'run.failed', 'run.cancelled'];

/** A tenant id no other test uses, so each test's runs, limits and indexes are its own. */
export function newTenantId(label: string): TenantId {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  if (!isTenantId(id)) {
    throw new Error(`${id} is not a tenant id: use a short lower-case label.`);
  }
  return id;
}

/** Submits `count` runs of the echo agent, one after another (so in this order); their ids. */
export async function queuedRuns(
  app: StoreApp,
  tenantId: TenantId,
  count: number,
): Promise<RunId[]> {
  const ids: RunId[] = [];
  for (let i = 0; i < count; i += 1) {
    const { run } = await app.runs.submit(tenantId, {
      id: newRunId(),
      agent: 'echo',
      input: { i },
    });
    ids.push(run.id);
  }
  return ids;
}

/** Submits and starts `count` runs; throws if one does not start, as the arrange step must not. */
export async function runningRuns(
  app: StoreApp,
  tenantId: TenantId,
  count: number,
): Promise<RunId[]> {
  const ids = await queuedRuns(app, tenantId, count);
  for (const id of ids) {
    const started = await app.runs.start(tenantId, id);
    if (started.kind !== 'started') {
      throw new Error(`run ${id} did not start: ${started.kind}`);
    }
  }
  return ids;
}

/** Finishes a run as succeeded with `output`, as a worker does when its agent returned. */
export function succeed(
  app: StoreApp,
  tenantId: TenantId,
  runId: RunId,
  output: unknown = { ok: true },
): Promise<Transition> {
  return app.runs.finish(tenantId, runId, {
    status: 'succeeded',
    outputJson: JSON.stringify(output),
  });
}

/** Every stored event of a run, oldest first. */
export function storedEvents(app: StoreApp, tenantId: TenantId, runId: RunId): Promise<RunEvent[]> {
  return app.events.readAfter(tenantId, runId, 0, 100_000);
}

export function terminalEventsOf(events: readonly RunEvent[]): RunEvent[] {
  return events.filter((event) => TERMINAL_EVENTS.includes(event.type));
}

/** The status indexes that hold the run: exactly one, its status, when the indexes agree. */
export async function indexesHolding(
  app: StoreApp,
  tenantId: TenantId,
  runId: RunId,
): Promise<RunStatus[]> {
  const scores = await Promise.all(
    RUN_STATUSES.map((status) => app.redis.zscore(app.keys.runIndex(tenantId, status), runId)),
  );
  return RUN_STATUSES.filter((_, i) => scores[i] !== null);
}

/** Redis's own clock in ms: what the scripts compare their scores with. */
export async function redisClockMs(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** How many of `items` equal `value`. */
export function countOf<T>(items: readonly T[], value: T): number {
  return items.filter((item) => item === value).length;
}

/** How a run ended, read back from everything that records it. */
export interface RunEnding {
  readonly status: RunStatus | undefined;
  /** The types of its terminal events: exactly one when it ended once. */
  readonly terminalEvents: string[];
  /** The type of its last event: the terminal one, since nothing follows it. */
  readonly lastEvent: string | undefined;
  /** The status indexes that hold it: its status alone when they agree with the record. */
  readonly indexes: RunStatus[];
  /** Whether the retention sweep's index of finished runs holds it. */
  readonly sweepable: boolean;
}

export async function runEnding(
  app: StoreApp,
  tenantId: TenantId,
  runId: RunId,
): Promise<RunEnding> {
  const [run, events, indexes, finishedScore] = await Promise.all([
    app.runs.find(tenantId, runId),
    storedEvents(app, tenantId, runId),
    indexesHolding(app, tenantId, runId),
    app.redis.zscore(app.keys.finishedRuns(tenantId), runId),
  ]);
  return {
    status: run?.status,
    terminalEvents: terminalEventsOf(events).map((event) => event.type),
    lastEvent: events.at(-1)?.type,
    indexes,
    sweepable: finishedScore !== null,
  };
}

/** What a run that ended once with `status` reads back as. */
export function endedOnceAs(status: 'succeeded' | 'failed' | 'cancelled'): RunEnding {
  return {
    status,
    terminalEvents: [`run.${status}`],
    lastEvent: `run.${status}`,
    indexes: [status],
    sweepable: true,
  };
}
