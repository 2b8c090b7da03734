import { RunStore } from '@bulkhead/store';
import {
  endedOnceAs,
  newTenantId,
  queuedRuns,
  runEnding,
  runningRuns,
  storedEvents,
  succeed,
} from './support/store-runs';
import { useStore } from './support/use-store';

describe(`${RunStore.name}.retry and requeue`, () => {
  const suite = useStore();

  it('should put a running run back in the queue with its event, and give its slot back', async () => {
    const tenantId = newTenantId('retry');
    await suite.app.limits.set(tenantId, { maxConcurrentRuns: 1 });
    const [id, next] = await queuedRuns(suite.app, tenantId, 2);
    if (!id || !next) {
      throw new Error('arrange: two runs expected');
    }
    await suite.app.runs.start(tenantId, id);

    const retried = await suite.app.runs.retry(tenantId, id, { attempt: 1, error: 'boom' });

    expect(retried).toEqual({ outcome: 'queued', woken: [] });
    expect(await suite.app.runs.get(tenantId, id)).toMatchObject({ status: 'queued', attempts: 1 });
    const events = await storedEvents(suite.app, tenantId, id);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['run.queued', {}],
      ['run.started', { attempt: 1, recovered: false }],
      ['run.retrying', { attempt: 1, error: 'boom' }],
    ]);
    expect(await suite.app.runs.start(tenantId, next)).toMatchObject({ kind: 'started' });
  });

  it('should wake a parked run into the slot a requeued run gave back', async () => {
    const tenantId = newTenantId('requeue');
    await suite.app.limits.set(tenantId, { maxConcurrentRuns: 1 });
    const [id, sleeper] = await queuedRuns(suite.app, tenantId, 2);
    if (!id || !sleeper) {
      throw new Error('arrange: two runs expected');
    }
    await suite.app.runs.start(tenantId, id);
    await suite.app.runs.start(tenantId, sleeper);
    await suite.app.runs.park(tenantId, sleeper);

    const requeued = await suite.app.runs.requeue(tenantId, id, { reason: 'worker_stopping' });

    expect(requeued).toEqual({ outcome: 'queued', woken: [sleeper] });
    expect(await suite.app.runs.start(tenantId, id)).toEqual({ kind: 'at_capacity' });
    expect(await suite.app.runs.start(tenantId, sleeper)).toMatchObject({ kind: 'started' });
  });

  it('should end a run cancelled instead when its cancel was accepted before the retry', async () => {
    const tenantId = newTenantId('retry-cancel');
    const [id] = await runningRuns(suite.app, tenantId, 1);
    if (!id) {
      throw new Error('arrange: one run expected');
    }
    await suite.app.runs.requestCancel(tenantId, id);

    const retried = await suite.app.runs.retry(tenantId, id, { attempt: 1 });

    expect(retried.outcome).toBe('cancelled');
    expect(await runEnding(suite.app, tenantId, id)).toEqual(endedOnceAs('cancelled'));
  });

  it('should leave a finished run as it was', async () => {
    const tenantId = newTenantId('retry-done');
    const [id] = await runningRuns(suite.app, tenantId, 1);
    if (!id) {
      throw new Error('arrange: one run expected');
    }
    await succeed(suite.app, tenantId, id);

    const retried = await suite.app.runs.retry(tenantId, id, { attempt: 1 });

    expect(retried.outcome).toBe('finished');
    expect(await runEnding(suite.app, tenantId, id)).toEqual(endedOnceAs('succeeded'));
    expect(await suite.app.runs.get(tenantId, id)).toMatchObject({ attempts: 1 });
  });
});
