import { EventLog } from '@bulkhead/store';
import { newTenantId, runningRuns, succeed } from './support/store-runs';
import { useStore } from './support/use-store';

describe(`${EventLog.name}: reading a run's stream`, () => {
  const suite = useStore();

  /** A finished run with `count` small agent events between run.started and run.succeeded. */
  const finishedRunWith = async (count: number, data: (i: number) => unknown = (i) => ({ i })) => {
    const tenantId = newTenantId('read');
    const [runId] = await runningRuns(suite.app, tenantId, 1);
    if (!runId) {
      throw new Error('arrange: one run expected');
    }
    for (let i = 0; i < count; i += 1) {
      await suite.app.events.append(tenantId, runId, 'agent.progress', data(i));
    }
    await succeed(suite.app, tenantId, runId);
    return { tenantId, runId, total: count + 3 };
  };

  it('should read the events after a cursor, oldest first, at most the count asked, and say more remain', async () => {
    const { tenantId, runId } = await finishedRunWith(20);

    const batch = await suite.app.events.readBatch(tenantId, runId, 5, {
      maxEvents: 4,
      maxBytes: 1_000_000,
    });

    expect(batch.more).toBe(true);
    expect(batch.events.map(({ event }) => [event.id, event.data])).toEqual([
      [6, { i: 3 }],
      [7, { i: 4 }],
      [8, { i: 5 }],
      [9, { i: 6 }],
    ]);
  });

  it('should say no more remain once it read the stream to its end', async () => {
    const { tenantId, runId, total } = await finishedRunWith(40);

    const batch = await suite.app.events.readBatch(tenantId, runId, 0, {
      maxEvents: 500,
      maxBytes: 1_000_000,
    });

    expect(batch.more).toBe(false);
    expect(batch.events.map(({ event }) => event.id)).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
    expect(batch.events.at(-1)?.event.type).toBe('run.succeeded');
  });

  it('should take the first event whatever its size, so an event larger than any budget is still delivered', async () => {
    const { tenantId, runId } = await finishedRunWith(2, () => ({ blob: 'z'.repeat(5_000) }));

    const batch = await suite.app.events.readBatch(tenantId, runId, 2, {
      maxEvents: 10,
      maxBytes: 100,
    });

    expect(batch.events.map(({ event }) => event.id)).toEqual([3]);
    expect(batch.more).toBe(true);
  });

  it('should read pages that join up gaplessly, whatever their bounds', async () => {
    const { tenantId, runId, total } = await finishedRunWith(100, (i) => ({
      note: 'n'.repeat((i * 37) % 400),
    }));
    const ids: number[] = [];

    for (let after = 0, page = 1; ; page += 1) {
      const events = await suite.app.events.readAfter(tenantId, runId, after, (page % 7) + 1);
      if (events.length === 0) {
        break;
      }
      ids.push(...events.map((event) => event.id));
      after = events.at(-1)?.id ?? after;
    }

    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  // Fails today: the batch script (libs/store/src/event-batch-script.ts) counts only an entry's
  // field bytes against maxBytes, while readBatch sizes each event with its envelope too
  // (ENVELOPE_BYTES plus the run id), so a batch of small events weighs about 2.5 times its
  // bound. Make it an `it` with the fix.
  it('should keep a batch of several events within its byte bound, as it sizes them', async () => {
    const { tenantId, runId } = await finishedRunWith(50);

    const batch = await suite.app.events.readBatch(tenantId, runId, 0, {
      maxEvents: 500,
      maxBytes: 1_000,
    });

    expect(batch.events.length).toBeGreaterThan(1);
    expect(batch.events.reduce((sum, { bytes }) => sum + bytes, 0)).toBeLessThanOrEqual(1_000);
  });
});
