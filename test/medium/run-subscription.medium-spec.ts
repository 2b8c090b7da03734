import { RunId, TenantId } from '@bulkhead/context';
import { RunEvent } from '@bulkhead/store';
import { RunSubscription } from '../../apps/api/src/run-events/run-subscription';
import { eventually } from '../support/eventually';
import { RecordingOutlet } from './support/recording-outlet';
import { SeededRandom } from './support/seeded-random';
import { newTenantId, runningRuns, storedEvents, succeed } from './support/store-runs';
import { useStore } from './support/use-store';

const LANES = 4;
const APPENDS_PER_LANE = 100;
const BURST = 100;
/** run.queued, run.started, the lanes' appends, the burst and run.succeeded. */
const TOTAL = LANES * APPENDS_PER_LANE + BURST + 3;
const BUDGET_BYTES = 4_096;

describe(`${RunSubscription.name} over the real event log`, () => {
  const suite = useStore({ apps: 2 });
  const outlets: RecordingOutlet[] = [];
  const subscriptions: RunSubscription[] = [];

  afterEach(() => {
    subscriptions.splice(0).forEach((subscription) => subscription.close());
    outlets.splice(0).forEach((outlet) => outlet.close());
  });

  const oneRunningRun = async (label: string): Promise<{ tenantId: TenantId; runId: RunId }> => {
    const tenantId = newTenantId(label);
    const [runId] = await runningRuns(suite.app, tenantId, 1);
    if (!runId) {
      throw new Error('arrange: one run expected');
    }
    return { tenantId, runId };
  };

  const subscribe = (tenantId: TenantId, runId: RunId, outlet: RecordingOutlet) => {
    const subscription = new RunSubscription(
      outlet,
      suite.app.events,
      tenantId,
      runId,
      0,
      suite.app.logger,
    );
    outlets.push(outlet);
    subscriptions.push(subscription);
    return subscription;
  };

  /** Appends events of a few sizes, the way agents emit them: mostly small, some large. */
  const appendMixed = async (tenantId: TenantId, runId: RunId, count: number) => {
    for (let i = 0; i < count; i += 1) {
      const note = i % 10 === 0 ? 'x'.repeat(600) : '';
      await suite.app.events.append(tenantId, runId, 'agent.progress', { i, note });
    }
    await suite.app.events.append(tenantId, runId, 'agent.output', { blob: 'y'.repeat(3_000) });
    await succeed(suite.app, tenantId, runId);
  };

  /** Drains the socket each time the subscription waits for it, until the terminal event was sent. */
  const drainUntilFinished = async (subscription: RunSubscription, outlet: RecordingOutlet) => {
    let drains = 0;
    while (!subscription.isFinished) {
      await eventually(() => {
        if (!outlet.isStalled && !subscription.isFinished) {
          throw new Error('the subscription neither waits for a drain nor has finished');
        }
      });
      if (!subscription.isFinished) {
        outlet.drain();
        drains += 1;
      }
    }
    return drains;
  };

  it('should deliver every event exactly once and in order while events are appended and it is woken at random times', async () => {
    const { tenantId, runId } = await oneRunningRun('follow');
    const outlet = new RecordingOutlet(BUDGET_BYTES);
    const sut = subscribe(tenantId, runId, outlet);
    const random = new SeededRandom(1_234);
    // The client reads as fast as it is sent to: the connection drains on the next turn.
    const reader = setInterval(() => outlet.drain(), 1);
    let appending = true;
    const wakeAtRandom = async () => {
      while (appending) {
        await new Promise((resolve) => setTimeout(resolve, random.below(3)));
        sut.wake();
      }
    };
    const appendLane = async (lane: number) => {
      for (let i = 0; i < APPENDS_PER_LANE; i += 1) {
        await suite.appFor(lane).events.append(tenantId, runId, 'agent.progress', { lane, i });
        if (random.chance(0.3)) {
          sut.wake();
        }
      }
    };

    try {
      sut.wake();
      const waker = wakeAtRandom();
      try {
        await Promise.all(Array.from({ length: LANES }, (_, lane) => appendLane(lane)));
      } finally {
        appending = false;
        await waker;
      }
      // A burst of many batches with one notification, at its end: that one wake-up reads it all.
      for (let i = 0; i < BURST; i += 1) {
        await suite.app.events.append(tenantId, runId, 'agent.progress', { burst: i });
      }
      await succeed(suite.app, tenantId, runId);
      sut.wake();
      await eventually(() => expect(sut.lastSentId).toBe(TOTAL));
    } finally {
      clearInterval(reader);
    }

    const stored: RunEvent[] = await storedEvents(suite.app, tenantId, runId);
    expect(stored.map((event) => event.id)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(outlet.sent.map((event) => event.id)).toEqual(stored.map((event) => event.id));
    expect(outlet.sent).toEqual(stored);
    expect(sut.isFinished).toBe(true);
  });

  it('should read no more while the socket is at its byte budget, and go on from where it stopped after each drain', async () => {
    const { tenantId, runId } = await oneRunningRun('paced');
    await appendMixed(tenantId, runId, 200);
    const outlet = new RecordingOutlet(BUDGET_BYTES);
    const sut = subscribe(tenantId, runId, outlet);

    sut.wake();
    const drains = await drainUntilFinished(sut, outlet);

    expect(drains).toBeGreaterThan(1);
    const overBudget = outlet.batches.filter((batch) => batch.bufferedBefore >= BUDGET_BYTES);
    expect(overBudget).toEqual([]);
    expect(outlet.sent).toEqual(await storedEvents(suite.app, tenantId, runId));
  });

  // Fails today: the batch script (libs/store/src/event-batch-script.ts) counts only an entry's
  // field bytes against the budget, while EventLog sizes each event with its envelope too
  // (ENVELOPE_BYTES plus the run id), so a batch of small events is sent at about 2.5 times its
  // share and the socket's buffer goes past SOCKET_BUFFER_MAX_BYTES. Make it an `it` with the fix.
  it('should never have sent more than its byte budget between two drains, but for an event larger than its share', async () => {
    const { tenantId, runId } = await oneRunningRun('budget');
    await appendMixed(tenantId, runId, 200);
    const outlet = new RecordingOutlet(BUDGET_BYTES);
    const sut = subscribe(tenantId, runId, outlet);

    sut.wake();
    await drainUntilFinished(sut, outlet);

    // SocketFlow's bound: a read sends at most its share, and the buffer stays within the budget,
    // unless the read was one event that did not fit (it still goes, alone).
    const overBudget = outlet.batches.filter(
      (batch) =>
        batch.count > 1 && (batch.bytes > batch.share || batch.bufferedAfter > BUDGET_BYTES),
    );
    expect(outlet.sent).toEqual(await storedEvents(suite.app, tenantId, runId));
    expect(overBudget).toEqual([]);
  });
});
