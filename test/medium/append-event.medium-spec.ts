import { RunStore } from '@bulkhead/store';
import { newTenantId, queuedRuns, runningRuns, storedEvents, succeed } from './support/store-runs';
import { useStore } from './support/use-store';

const APPENDS = 300;

describe(`${RunStore.name}.appendEvent`, () => {
  const suite = useStore({ apps: 2 });

  it('should refuse an event once the run has ended, and store nothing', async () => {
    const tenantId = newTenantId('ended');
    const [id] = await runningRuns(suite.app, tenantId, 1);
    if (!id) {
      throw new Error('arrange: one run expected');
    }
    await succeed(suite.app, tenantId, id);

    const appended = await suite.app.events.append(tenantId, id, 'agent.progress', { n: 1 });

    expect(appended).toBeUndefined();
    expect((await storedEvents(suite.app, tenantId, id)).map((e) => e.type)).toEqual([
      'run.queued',
      'run.started',
      'run.succeeded',
    ]);
  });

  it('should refuse an event before the run started', async () => {
    const tenantId = newTenantId('early');
    const [id] = await queuedRuns(suite.app, tenantId, 1);
    if (!id) {
      throw new Error('arrange: one run expected');
    }

    const appended = await suite.app.events.append(tenantId, id, 'agent.progress', { n: 1 });

    expect(appended).toBeUndefined();
    expect(await storedEvents(suite.app, tenantId, id)).toHaveLength(1);
  });

  it('should number events 1, 2, 3 … without gaps or repeats under concurrent appends from two processes', async () => {
    const tenantId = newTenantId('gapless');
    const [id] = await runningRuns(suite.app, tenantId, 1);
    if (!id) {
      throw new Error('arrange: one run expected');
    }

    const ids = await Promise.all(
      Array.from({ length: APPENDS }, (_, i) =>
        suite.appFor(i).events.append(tenantId, id, 'agent.progress', { i }),
      ),
    );
    await succeed(suite.app, tenantId, id);

    // run.queued and run.started are 1 and 2; the appends take 3 … APPENDS + 2 between them.
    const expected = Array.from({ length: APPENDS }, (_, i) => i + 3);
    expect([...ids].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(expected);
    const stored = await storedEvents(suite.app, tenantId, id);
    expect(stored.map((event) => event.id)).toEqual(
      Array.from({ length: APPENDS + 3 }, (_, i) => i + 1),
    );
    expect(stored.at(-1)?.type).toBe('run.succeeded');
    // Each append's id is the one its own event was stored under.
    const byId = new Map(stored.map((event) => [event.id, event.data]));
    expect(ids.map((eventId, i) => [i, byId.get(eventId ?? 0)])).toEqual(
      ids.map((_, i) => [i, { i }]),
    );
  });
});
