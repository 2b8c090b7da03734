import { agentWindow, mostAtOnce } from '../support/concurrency';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { PlatformProcess } from '../support/platform';
import { finishedRun, isTerminalEvent, storedEvents, submitRun } from '../support/runs';
import { createTenant, tenantView } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Scaled out: 2 API processes and 3 workers on one Redis', () => {
  const suite = usePlatform({
    apis: 2,
    workers: 3,
    env: { WORKER_CONCURRENCY: '10', WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' },
  });

  it('should deliver, through API 2, every event of runs submitted through API 1, complete and in order', async () => {
    const [api1, api2] = suite.platform.urls as [string, string];
    const tenant = await createTenant(api1, 'across');
    const client = await EventClient.connect(api2, tenant.key);
    const runs = await Promise.all(
      Array.from({ length: 10 }, () =>
        submitRun(api1, tenant.key, { agent: 'ticker', input: { steps: 5, intervalMs: 20 } }),
      ),
    );

    await Promise.all(runs.map((run) => client.subscribe(run.id)));
    const received = await Promise.all(runs.map((run) => client.untilFinished(run.id)));
    client.close();

    for (const [i, run] of runs.entries()) {
      const stored = await storedEvents(api1, tenant.key, run.id);
      expect(received[i]).toEqual(stored);
      expect(stored.map((event) => event.id)).toEqual(stored.map((_, n) => n + 1));
    }
  });

  it('should hold maxConcurrentRuns 3 across all workers, finish every run after one is killed, and end with true counters', async () => {
    const tenant = await createTenant(suite.platform.url, 'scaled', {
      maxConcurrentRuns: 3,
      runsPerMinute: 10_000,
    });
    const runs = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        submitRun(suite.platform.urls[i % 2] ?? '', tenant.key, {
          agent: 'ticker',
          input: { steps: 6, intervalMs: 40 },
        }),
      ),
    );
    await eventually(async () => {
      const { usage } = await tenantView(suite.platform.url, tenant.id);
      expect(usage.running).toBe(3);
      expect(usage.queued).toBeLessThan(25);
    }, 20_000);

    const victim = workerRunningOneOf(
      suite.platform.workers,
      runs.map((run) => run.id),
    );
    await victim.stop('SIGKILL');
    const finished = await Promise.all(
      runs.map((run) => finishedRun(suite.platform.url, tenant.key, run.id, 60_000)),
    );

    const histories = await Promise.all(
      runs.map((run) => storedEvents(suite.platform.url, tenant.key, run.id)),
    );
    expect(finished.map((run) => run.status)).toEqual(runs.map(() => 'succeeded'));
    expect(histories.map((events) => events.filter(isTerminalEvent).length)).toEqual(
      runs.map(() => 1),
    );
    const recovered = histories.filter((events) =>
      events.some((e) => e.type === 'run.started' && (e.data as { recovered: boolean }).recovered),
    );
    expect(recovered.length).toBeGreaterThan(0);
    expect(mostAtOnce(histories.map(agentWindow))).toBeLessThanOrEqual(3);
    expect((await tenantView(suite.platform.url, tenant.id)).usage).toMatchObject({
      queued: 0,
      running: 0,
    });
  });
});

/** A worker whose log shows it started one of `runIds` and has not finished it yet. */
function workerRunningOneOf(workers: PlatformProcess[], runIds: string[]): PlatformProcess {
  const ours = new Set(runIds);
  const found = workers.find((worker) => {
    const started = worker.lines.filter((l) => l.msg === 'run.started' && ours.has(l.runId ?? ''));
    const ended = new Set(worker.lines.filter((l) => l.msg === 'run.finished').map((l) => l.runId));
    return started.some((line) => !ended.has(line.runId));
  });
  if (!found) {
    throw new Error('no worker is running one of the runs');
  }
  return found;
}
