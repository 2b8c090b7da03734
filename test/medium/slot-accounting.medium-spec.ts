import { RunStore } from '@bulkhead/store';
import { SeededRandom } from './support/seeded-random';
import { countOf, newTenantId, queuedRuns, storedEvents } from './support/store-runs';
import { useStore } from './support/use-store';

const QUEUED = 40;

describe(`${RunStore.name}.start: a tenant's running slots`, () => {
  const suite = useStore({ apps: 2 });

  it('should start exactly maxConcurrentRuns of many runs started at once from two workers', async () => {
    const tenantId = newTenantId('slots');
    await suite.app.limits.set(tenantId, { maxConcurrentRuns: 3 });
    const ids = await queuedRuns(suite.app, tenantId, QUEUED);

    const outcomes = await Promise.all(
      new SeededRandom(3).shuffled(ids).map((id, i) => suite.appFor(i).runs.start(tenantId, id)),
    );

    const kinds = outcomes.map((outcome) => outcome.kind);
    expect([countOf(kinds, 'started'), countOf(kinds, 'at_capacity')]).toEqual([3, QUEUED - 3]);
    expect(await suite.app.limits.usage(tenantId)).toEqual({
      queued: QUEUED - 3,
      running: 3,
      stored: QUEUED,
    });
  });

  it('should leave a run turned away at capacity queued, unstarted and without a run.started event', async () => {
    const tenantId = newTenantId('turned');
    await suite.app.limits.set(tenantId, { maxConcurrentRuns: 1 });
    const [running, turned] = await queuedRuns(suite.app, tenantId, 2);
    if (!running || !turned) {
      throw new Error('arrange: two runs expected');
    }
    await suite.app.runs.start(tenantId, running);

    const outcome = await suite.app.runs.start(tenantId, turned);

    expect(outcome).toEqual({ kind: 'at_capacity' });
    expect(await suite.app.runs.get(tenantId, turned)).toMatchObject({
      status: 'queued',
      attempts: 0,
    });
    expect((await storedEvents(suite.app, tenantId, turned)).map((e) => e.type)).toEqual([
      'run.queued',
    ]);
  });

  it("should count each tenant's slots apart", async () => {
    const [busy, idle] = [newTenantId('busy'), newTenantId('idle')];
    await suite.app.limits.set(busy, { maxConcurrentRuns: 2 });
    await suite.app.limits.set(idle, { maxConcurrentRuns: 2 });
    const busyIds = await queuedRuns(suite.app, busy, 10);
    const idleIds = await queuedRuns(suite.app, idle, 2);

    const outcomes = await Promise.all(
      [
        ...busyIds.map((id) => ({ tenantId: busy, id })),
        ...idleIds.map((id) => ({ tenantId: idle, id })),
      ].map(({ tenantId, id }, i) => suite.appFor(i).runs.start(tenantId, id)),
    );

    const kinds = outcomes.map((outcome) => outcome.kind);
    expect(countOf(kinds.slice(0, 10), 'started')).toBe(2);
    expect(kinds.slice(10)).toEqual(['started', 'started']);
  });

  it('should give a slot back when a run ends, so the next start takes it', async () => {
    const tenantId = newTenantId('freed');
    await suite.app.limits.set(tenantId, { maxConcurrentRuns: 1 });
    const [done, next] = await queuedRuns(suite.app, tenantId, 2);
    if (!done || !next) {
      throw new Error('arrange: two runs expected');
    }
    await suite.app.runs.start(tenantId, done);
    await suite.app.runs.finish(tenantId, done, { status: 'failed', error: { message: 'boom' } });

    const outcome = await suite.app.runs.start(tenantId, next);

    expect(outcome).toMatchObject({ kind: 'started', attempt: 1 });
    expect(await suite.app.limits.usage(tenantId)).toMatchObject({ queued: 0, running: 1 });
  });
});
