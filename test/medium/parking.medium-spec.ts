import { RunId, TenantId } from '@bulkhead/context';
import { RunStore } from '@bulkhead/store';
import {
  endedOnceAs,
  newTenantId,
  queuedRuns,
  redisClockMs,
  runEnding,
  succeed,
} from './support/store-runs';
import { StoreApp, useStore } from './support/use-store';

/** How long a woken run holds its reserved slot without starting (run-scripts/lua/parking.lua.ts). */
const WOKEN_HOLD_MS = 10_000;

describe(`${RunStore.name}: parking and waking runs at capacity`, () => {
  const suite = useStore({ apps: 2 });

  const parked = (tenantId: TenantId) =>
    suite.app.redis.zrange(suite.app.keys.parkedRuns(tenantId), '0', '-1');
  const woken = (tenantId: TenantId) =>
    suite.app.redis.zrange(suite.app.keys.wokenRuns(tenantId), '0', '-1');

  /** A tenant with `limit` slots, all taken by running runs, and `waiting` more runs queued. */
  const tenantAtCapacity = async (limit: number, waiting: number) => {
    const tenantId = newTenantId('park');
    await suite.app.limits.set(tenantId, { maxConcurrentRuns: limit });
    const ids = await queuedRuns(suite.app, tenantId, limit + waiting);
    const running = ids.slice(0, limit);
    for (const id of running) {
      await suite.app.runs.start(tenantId, id);
    }
    return { tenantId, running, waiting: ids.slice(limit) };
  };

  /** What a worker does with a run's job: start it, or park it when the tenant is at capacity. */
  const turnAway = async (app: StoreApp, tenantId: TenantId, id: RunId) => {
    const start = await app.runs.start(tenantId, id);
    if (start.kind !== 'at_capacity') {
      throw new Error(`arrange: run ${id} was expected at capacity, was ${start.kind}`);
    }
    return app.runs.park(tenantId, id);
  };

  const only = <T>(items: readonly T[]): T => {
    const [item] = items;
    if (items.length !== 1 || item === undefined) {
      throw new Error(`arrange: one item expected, got ${items.length}`);
    }
    return item;
  };

  const two = <T>(items: readonly T[]): [T, T] => {
    const [a, b] = items;
    if (items.length !== 2 || a === undefined || b === undefined) {
      throw new Error(`arrange: two items expected, got ${items.length}`);
    }
    return [a, b];
  };

  it('should park a run that found its tenant at capacity', async () => {
    const { tenantId, waiting } = await tenantAtCapacity(1, 1);
    const id = only(waiting);

    const outcome = await turnAway(suite.app, tenantId, id);

    expect(outcome).toBe('parked');
    expect(await parked(tenantId)).toEqual([id]);
    expect(await suite.app.runs.get(tenantId, id)).toMatchObject({ status: 'queued' });
  });

  it('should wake a parked run when a running run finishes, and hold its slot so no other start takes it', async () => {
    const { tenantId, running, waiting } = await tenantAtCapacity(1, 2);
    const [sleeper, latecomer] = two(waiting);
    await turnAway(suite.app, tenantId, sleeper);

    const finished = await succeed(suite.app, tenantId, only(running));

    expect(finished).toEqual({ outcome: 'succeeded', woken: [sleeper] });
    expect(await parked(tenantId)).toEqual([]);
    expect(await woken(tenantId)).toEqual([sleeper]);
    expect(await suite.appFor(1).runs.start(tenantId, latecomer)).toEqual({ kind: 'at_capacity' });
    expect(await suite.app.runs.start(tenantId, sleeper)).toMatchObject({ kind: 'started' });
    expect(await woken(tenantId)).toEqual([]);
    expect(await suite.app.limits.usage(tenantId)).toMatchObject({ running: 1, queued: 1 });
  });

  it('should answer free when a slot freed between the delay and the park', async () => {
    const { tenantId, running, waiting } = await tenantAtCapacity(1, 1);
    const id = only(waiting);
    const start = await suite.app.runs.start(tenantId, id);
    const freed = await succeed(suite.appFor(1), tenantId, only(running));

    const outcome = await suite.app.runs.park(tenantId, id);

    expect([start.kind, freed.woken]).toEqual(['at_capacity', []]);
    expect(outcome).toBe('free');
    expect(await parked(tenantId)).toEqual([]);
    expect(await suite.app.runs.start(tenantId, id)).toMatchObject({ kind: 'started' });
  });

  it('should answer free to a parked run that was woken while it was being turned away again', async () => {
    const { tenantId, running, waiting } = await tenantAtCapacity(1, 1);
    const id = only(waiting);
    await turnAway(suite.app, tenantId, id);
    // Its recheck finds the tenant still at capacity; before it parks again, a slot frees and wakes it.
    const recheck = await suite.app.runs.start(tenantId, id);
    const freed = await succeed(suite.appFor(1), tenantId, only(running));

    const outcome = await suite.app.runs.park(tenantId, id);

    expect([recheck.kind, freed.woken]).toEqual(['at_capacity', [id]]);
    expect(outcome).toBe('free');
    expect(await parked(tenantId)).toEqual([]);
    expect(await suite.app.runs.start(tenantId, id)).toMatchObject({ kind: 'started' });
  });

  it('should answer gone to a run that ended before it parked', async () => {
    const { tenantId, waiting } = await tenantAtCapacity(1, 1);
    const id = only(waiting);
    await suite.app.runs.start(tenantId, id);
    await suite.app.runs.requestCancel(tenantId, id);

    const outcome = await suite.app.runs.park(tenantId, id);

    expect(outcome).toBe('gone');
    expect(await parked(tenantId)).toEqual([]);
    expect(await runEnding(suite.app, tenantId, id)).toEqual(endedOnceAs('cancelled'));
  });

  it('should wake as many parked runs as a raised limit frees, oldest first', async () => {
    const { tenantId, waiting } = await tenantAtCapacity(1, 4);
    for (const id of waiting) {
      await turnAway(suite.app, tenantId, id);
    }

    const raised = await suite.app.limits.update(tenantId, { maxConcurrentRuns: 3 });

    expect(raised).toEqual(waiting.slice(0, 2));
    expect(await parked(tenantId)).toEqual(waiting.slice(2));
    const starts = await Promise.all(waiting.map((id) => suite.app.runs.start(tenantId, id)));
    expect(starts.map((start) => start.kind)).toEqual([
      'started',
      'started',
      'at_capacity',
      'at_capacity',
    ]);
  });

  it('should drop a parked run that is cancelled, so no slot is woken for it', async () => {
    const { tenantId, running, waiting } = await tenantAtCapacity(1, 1);
    const id = only(waiting);
    await turnAway(suite.app, tenantId, id);
    const cancel = await suite.app.runs.requestCancel(tenantId, id);

    const finished = await succeed(suite.app, tenantId, only(running));

    expect(cancel).toBe('cancelled');
    expect(finished.woken).toEqual([]);
    expect(await parked(tenantId)).toEqual([]);
    expect(await runEnding(suite.app, tenantId, id)).toEqual(endedOnceAs('cancelled'));
  });

  it('should start every run of a tenant at capacity, with no wake-up lost, while runs park and finish at once', async () => {
    const tenantId = newTenantId('storm');
    await suite.app.limits.set(tenantId, { maxConcurrentRuns: 3 });
    const ids = await queuedRuns(suite.app, tenantId, 60);
    const jobs: Promise<void>[] = [];
    let promotions = 0;
    // What RunParking and the queue do: a job that finds no slot parks (or, told 'free', starts
    // again); a parked run's job runs again only when a finishing run wakes it.
    const work = async (id: RunId, i: number): Promise<void> => {
      const app = suite.appFor(i);
      for (;;) {
        const start = await app.runs.start(tenantId, id);
        if (start.kind === 'started') {
          await new Promise((resolve) => setImmediate(resolve));
          const { woken: promoted } = await succeed(app, tenantId, id);
          promotions += promoted.length;
          promoted.forEach((next, j) => jobs.push(work(next, i + j + 1)));
          return;
        }
        if (start.kind !== 'at_capacity') {
          throw new Error(`run ${id} was ${start.kind}`);
        }
        if ((await app.runs.park(tenantId, id)) === 'parked') {
          return;
        }
      }
    };

    ids.forEach((id, i) => jobs.push(work(id, i)));
    for (let settled = 0; settled < jobs.length;) {
      settled = jobs.length;
      await Promise.all(jobs);
    }

    const endings = await Promise.all(ids.map((id) => runEnding(suite.app, tenantId, id)));
    expect(promotions).toBeGreaterThan(0);
    expect(endings).toEqual(ids.map(() => endedOnceAs('succeeded')));
    expect([await parked(tenantId), await woken(tenantId)]).toEqual([[], []]);
    expect(await suite.app.limits.usage(tenantId)).toMatchObject({ queued: 0, running: 0 });
  });

  it('should give a woken run’s slot back once it has not started within 10 s', async () => {
    const { tenantId, running, waiting } = await tenantAtCapacity(1, 2);
    const [sleeper, latecomer] = two(waiting);
    await turnAway(suite.app, tenantId, sleeper);
    await succeed(suite.app, tenantId, only(running));
    const held = await suite.app.runs.start(tenantId, latecomer);
    // As if its promotion was lost and 10 s passed: its wake time, on Redis's clock, is that old.
    const lapsedAt = (await redisClockMs(suite.app.redis)) - WOKEN_HOLD_MS - 1;
    await suite.app.redis.zadd(suite.app.keys.wokenRuns(tenantId), 'XX', lapsedAt, sleeper);

    const outcome = await suite.app.runs.start(tenantId, latecomer);

    expect(held).toEqual({ kind: 'at_capacity' });
    expect(outcome).toMatchObject({ kind: 'started' });
    expect(await woken(tenantId)).toEqual([]);
    expect(await suite.app.runs.start(tenantId, sleeper)).toEqual({ kind: 'at_capacity' });
  });

  it('should keep a woken run’s slot while its 10 s have not passed', async () => {
    const { tenantId, running, waiting } = await tenantAtCapacity(1, 2);
    const [sleeper, latecomer] = two(waiting);
    await turnAway(suite.app, tenantId, sleeper);
    await succeed(suite.app, tenantId, only(running));
    const recentAt = (await redisClockMs(suite.app.redis)) - WOKEN_HOLD_MS + 2_000;
    await suite.app.redis.zadd(suite.app.keys.wokenRuns(tenantId), 'XX', recentAt, sleeper);

    const outcome = await suite.app.runs.start(tenantId, latecomer);

    expect(outcome).toEqual({ kind: 'at_capacity' });
    expect(await woken(tenantId)).toEqual([sleeper]);
  });
});
