import { RunId, TenantId } from '@bulkhead/context';
import { CancelOutcome, StartOutcome, Transition } from '@bulkhead/store';
import { SeededRandom } from './support/seeded-random';
import {
  RunEnding,
  endedOnceAs,
  newTenantId,
  queuedRuns,
  runEnding,
  runningRuns,
  succeed,
} from './support/store-runs';
import { useStore } from './support/use-store';

const RUNS = 200;

describe('A cancel racing the end of a run', () => {
  // apps[0] plays the API (it accepts cancels), apps[1] the worker (it starts and finishes runs).
  const suite = useStore({
    apps: 2,
    env: { TENANT_MAX_CONCURRENT_RUNS: '10000', TENANT_RUNS_PER_MINUTE: '1000000' },
  });
  const api = () => suite.appFor(0);
  const worker = () => suite.appFor(1);

  const endings = (tenantId: TenantId, ids: readonly RunId[]): Promise<RunEnding[]> =>
    Promise.all(ids.map((id) => runEnding(suite.app, tenantId, id)));

  it('should end each running run exactly once, as cancelled when the cancel came first and succeeded otherwise', async () => {
    const tenantId = newTenantId('race-order');
    const ids = await runningRuns(suite.app, tenantId, RUNS);
    const cancelFirst = (i: number) => i % 2 === 0;

    // One connection runs its scripts in the order they are sent: both orders, exactly half each.
    const answers = await Promise.all(
      ids.map((id, i) => {
        if (cancelFirst(i)) {
          const cancel = suite.app.runs.requestCancel(tenantId, id);
          return Promise.all([cancel, succeed(suite.app, tenantId, id)]);
        }
        const finish = succeed(suite.app, tenantId, id);
        return Promise.all([suite.app.runs.requestCancel(tenantId, id), finish]);
      }),
    );

    expect(answers).toEqual(
      ids.map((_, i) =>
        cancelFirst(i)
          ? ['cancelling', { outcome: 'cancelled', woken: [] }]
          : ['finished', { outcome: 'succeeded', woken: [] }],
      ),
    );
    expect(await endings(tenantId, ids)).toEqual(
      ids.map((_, i) => endedOnceAs(cancelFirst(i) ? 'cancelled' : 'succeeded')),
    );
    expect(await suite.app.limits.usage(tenantId)).toMatchObject({ queued: 0, running: 0 });
  });

  it('should end each running run exactly once when the API cancels it as the worker finishes it', async () => {
    const tenantId = newTenantId('race-procs');
    const ids = await runningRuns(suite.app, tenantId, RUNS);
    const random = new SeededRandom(20_240_512);
    const answers = new Map<RunId, { cancel?: CancelOutcome; finish?: Transition }>();
    const calls = ids.flatMap((id) => {
      const answer: { cancel?: CancelOutcome; finish?: Transition } = {};
      answers.set(id, answer);
      return [
        async () => {
          answer.cancel = await api().runs.requestCancel(tenantId, id);
        },
        async () => {
          answer.finish = await succeed(worker(), tenantId, id);
        },
      ];
    });

    await Promise.all(random.shuffled(calls).map((call) => call()));

    const ended = await endings(tenantId, ids);
    ids.forEach((id, i) => {
      const answer = answers.get(id);
      // A cancel accepted while the run was running makes it end cancelled, whatever the attempt
      // returned; a cancel that found it finished changed nothing.
      const status = answer?.cancel === 'cancelling' ? 'cancelled' : 'succeeded';
      expect({ id, answer, ended: ended[i] }).toEqual({
        id,
        answer: {
          cancel: status === 'cancelled' ? 'cancelling' : 'finished',
          finish: { outcome: status, woken: [] },
        },
        ended: endedOnceAs(status),
      });
    });
    const cancelled = ended.filter((e) => e.status === 'cancelled').length;
    const counts = await Promise.all(
      (['running', 'cancelled', 'succeeded'] as const).map((status) =>
        suite.app.redis.zcard(suite.app.keys.runIndex(tenantId, status)),
      ),
    );
    expect(counts).toEqual([0, cancelled, RUNS - cancelled]);
  });

  it('should end each queued run exactly once when its cancel races the worker starting and finishing it', async () => {
    const tenantId = newTenantId('race-queued');
    const ids = await queuedRuns(suite.app, tenantId, RUNS);
    const random = new SeededRandom(7);
    const answers = new Map<RunId, { cancel?: CancelOutcome; start?: StartOutcome }>();
    const calls = ids.flatMap((id) => {
      const answer: { cancel?: CancelOutcome; start?: StartOutcome } = {};
      answers.set(id, answer);
      return [
        async () => {
          answer.cancel = await api().runs.requestCancel(tenantId, id);
        },
        async () => {
          answer.start = await worker().runs.start(tenantId, id);
          if (answer.start.kind === 'started') {
            await succeed(worker(), tenantId, id);
          }
        },
      ];
    });

    await Promise.all(random.shuffled(calls).map((call) => call()));

    const ended = await endings(tenantId, ids);
    ids.forEach((id, i) => {
      const answer = answers.get(id);
      // Cancelled before it started: it never starts. Cancelled while running: it ends cancelled.
      // Cancelled after it ended: it stays succeeded.
      const status = answer?.cancel === 'finished' ? 'succeeded' : 'cancelled';
      const started = answer?.cancel !== 'cancelled';
      expect({ id, started: answer?.start?.kind === 'started', ended: ended[i] }).toEqual({
        id,
        started,
        ended: endedOnceAs(status),
      });
    });
    expect(await suite.app.limits.usage(tenantId)).toMatchObject({ queued: 0, running: 0 });
  });
});
