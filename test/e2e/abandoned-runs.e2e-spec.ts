import { eventually } from '../support/eventually';
import { finishedRun, isTerminalEvent, storedEvents, submitRun } from '../support/runs';
import { createTenant, tenantView } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('A run whose workers keep dying', () => {
  const suite = usePlatform({
    workers: 1,
    env: {
      WORKER_LOCK_MS: '1000',
      WORKER_STALLED_INTERVAL_MS: '500',
      WORKER_MAX_STALLED_COUNT: '1',
    },
  });

  const startsOf = async (key: string, runId: string) =>
    (await storedEvents(suite.platform.url, key, runId)).filter((e) => e.type === 'run.started')
      .length;

  it('should end failed once BullMQ gives up on it, with one terminal event, and free its tenant slot', async () => {
    const tenant = await createTenant(suite.platform.url, 'doomed', { maxConcurrentRuns: 1 });
    const run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'ticker',
      input: { steps: 200, intervalMs: 50 },
    });

    for (const starts of [1, 2]) {
      await eventually(async () => expect(await startsOf(tenant.key, run.id)).toBe(starts), 15_000);
      await suite.platform.workers[suite.platform.workers.length - 1]?.stop('SIGKILL');
      await suite.platform.startWorker();
    }
    const ended = await finishedRun(suite.platform.url, tenant.key, run.id, 20_000);

    expect(ended.status).toBe('failed');
    expect(ended.error?.message).toContain('abandoned');
    const events = await storedEvents(suite.platform.url, tenant.key, run.id);
    expect(events.filter(isTerminalEvent).map((e) => e.type)).toEqual(['run.failed']);
    expect((await tenantView(suite.platform.url, tenant.id)).usage).toMatchObject({
      queued: 0,
      running: 0,
    });
    const next = await submitRun(suite.platform.url, tenant.key, { agent: 'echo', input: {} });
    expect((await finishedRun(suite.platform.url, tenant.key, next.id)).status).toBe('succeeded');
  });
});
