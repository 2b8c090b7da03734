import { RunId, TenantId } from '@bulkhead/context';
import { RunStore, StartOutcome, Transition } from '@bulkhead/store';
import {
  endedOnceAs,
  newTenantId,
  queuedRuns,
  runEnding,
  runningRuns,
  storedEvents,
  succeed,
} from './support/store-runs';
import { StoreApp, useStore } from './support/use-store';

const RUNS = 100;

/** What one delivery of a run's job does: start it, and finish it if it started. */
async function deliver(
  app: StoreApp,
  tenantId: TenantId,
  runId: RunId,
  delivery: string,
): Promise<{ start: StartOutcome; finish?: Transition }> {
  const start = await app.runs.start(tenantId, runId);
  if (start.kind !== 'started') {
    return { start };
  }
  return { start, finish: await succeed(app, tenantId, runId, { delivery }) };
}

describe(`${RunStore.name}: two deliveries of one job`, () => {
  const suite = useStore({ apps: 2, env: { TENANT_MAX_CONCURRENT_RUNS: '10000' } });
  const first = () => suite.appFor(0);
  const second = () => suite.appFor(1);

  /** The run's hash, its stream, its indexes and its place in the retention sweep. */
  const everythingRecorded = (tenantId: TenantId, id: RunId) =>
    Promise.all([
      suite.app.redis.hgetall(suite.app.keys.run(tenantId, id)),
      storedEvents(suite.app, tenantId, id),
      runEnding(suite.app, tenantId, id),
      suite.app.redis.zscore(suite.app.keys.finishedRuns(tenantId), id),
    ]);

  it('should write one terminal event when two deliveries start and finish the run at once', async () => {
    const tenantId = newTenantId('twice');
    const ids = await queuedRuns(suite.app, tenantId, RUNS);

    const deliveries = await Promise.all(
      ids.map((id) =>
        Promise.all([deliver(first(), tenantId, id, 'a'), deliver(second(), tenantId, id, 'b')]),
      ),
    );

    for (const [i, id] of ids.entries()) {
      const finishes = (deliveries[i] ?? []).map((d) => d.finish?.outcome);
      // Exactly one delivery ended it; the other found it finished, at its start or its finish.
      expect(finishes.filter((outcome) => outcome === 'succeeded')).toHaveLength(1);
      expect(await runEnding(suite.app, tenantId, id)).toEqual(endedOnceAs('succeeded'));
    }
    expect(await suite.app.limits.usage(tenantId)).toMatchObject({ queued: 0, running: 0 });
  });

  it('should let a second delivery take over a running run, and keep the first outcome recorded', async () => {
    const tenantId = newTenantId('takeover');
    const [id] = await queuedRuns(suite.app, tenantId, 1);
    if (!id) {
      throw new Error('arrange: one run expected');
    }

    // Sent in this order on one connection: both start, then both finish.
    const [startA, startB, finishA, finishB] = await Promise.all([
      suite.app.runs.start(tenantId, id),
      suite.app.runs.start(tenantId, id),
      succeed(suite.app, tenantId, id, { delivery: 'a' }),
      succeed(suite.app, tenantId, id, { delivery: 'b' }),
    ]);

    expect([startA, startB]).toMatchObject([
      { kind: 'started', attempt: 1 },
      { kind: 'started', attempt: 2 },
    ]);
    expect([finishA.outcome, finishB.outcome]).toEqual(['succeeded', 'finished']);
    expect(await suite.app.runs.get(tenantId, id)).toMatchObject({
      status: 'succeeded',
      output: { delivery: 'a' },
      attempts: 2,
    });
    const started = (await storedEvents(suite.app, tenantId, id)).filter(
      (event) => event.type === 'run.started',
    );
    expect(started.map((event) => event.data)).toEqual([
      { attempt: 1, recovered: false },
      { attempt: 2, recovered: true },
    ]);
    expect(await runEnding(suite.app, tenantId, id)).toEqual(endedOnceAs('succeeded'));
  });

  it('should change nothing when a finished run is finished again', async () => {
    const tenantId = newTenantId('refinish');
    const [id] = await runningRuns(suite.app, tenantId, 1);
    if (!id) {
      throw new Error('arrange: one run expected');
    }
    await succeed(suite.app, tenantId, id, { delivery: 'a' });
    const before = await everythingRecorded(tenantId, id);

    const again = await second().runs.finish(tenantId, id, {
      status: 'failed',
      error: { message: 'the second delivery failed' },
    });

    expect(again).toEqual({ outcome: 'finished', woken: [] });
    expect(await everythingRecorded(tenantId, id)).toEqual(before);
  });

  it('should not start a finished run again', async () => {
    const tenantId = newTenantId('restart');
    const [id] = await runningRuns(suite.app, tenantId, 1);
    if (!id) {
      throw new Error('arrange: one run expected');
    }
    await succeed(suite.app, tenantId, id);

    const late = await second().runs.start(tenantId, id);

    expect(late).toEqual({ kind: 'finished', status: 'succeeded' });
    expect(await runEnding(suite.app, tenantId, id)).toEqual(endedOnceAs('succeeded'));
    expect(await suite.app.runs.get(tenantId, id)).toMatchObject({ attempts: 1 });
  });
});
