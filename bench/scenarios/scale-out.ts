import { startBenchPlatform } from '../support/bench-platform';
import { allRuns, createTenant, submitRun, unfinishedRuns } from '../support/bench-client';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { inLanes, median, repeat } from '../support/stats';

const CONCURRENCY = 10;

/**
 * Runs/s of ticker runs waiting on I/O (intervalMs 50) with 1, 2 and 4 worker processes: the backlog
 * is queued first, then the workers start; the time is from the first run's start to the last run's
 * end, as the run records say, so worker boot does not count.
 */
async function runsPerSecond(
  run: BenchRun,
  workers: number,
  count: number,
  rep: number,
): Promise<number> {
  const platform = await startBenchPlatform(run.redisUrl, run.prefix(`scale-${workers}-${rep}`), {
    workers: 0,
    env: { WORKER_CONCURRENCY: String(CONCURRENCY) },
  });
  try {
    const tenant = await createTenant(platform.url, 'scale');
    await inLanes(Array.from({ length: count }), 50, () =>
      submitRun(platform.url, tenant.key, {
        agent: 'ticker',
        input: { steps: 1, intervalMs: 50 },
      }),
    );
    await Promise.all(Array.from({ length: workers }, () => platform.startWorker()));
    while ((await unfinishedRuns(platform.url, tenant.id)) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const runs = await allRuns(platform.url, tenant.key);
    const first = Math.min(...runs.map((r) => Date.parse(String(r.startedAt))));
    const last = Math.max(...runs.map((r) => Date.parse(String(r.finishedAt))));
    return count / ((last - first) / 1000);
  } finally {
    await platform.stop();
  }
}

export async function scaleOut(run: BenchRun): Promise<ScenarioResult> {
  const perWorker = run.quick ? 150 : 600;
  const rows = [];
  let baseline = 0;
  for (const workers of [1, 2, 4]) {
    const samples = await repeat(run.repetitions, (rep) =>
      runsPerSecond(run, workers, perWorker * workers, rep),
    );
    const value = median(samples);
    if (workers === 1) {
      baseline = value;
    }
    rows.push({
      workers,
      'runs/s': Math.round(value),
      'ratio to 1 worker': round(value / baseline),
    });
  }
  return {
    scenario: '6. Scale-out',
    method: `Ticker runs (1 step, intervalMs 50), ${perWorker} per worker process queued before the workers start, WORKER_CONCURRENCY ${CONCURRENCY}; runs/s from the first run's start to the last run's end (run records), so worker boot does not count. Baseline: 1 worker. Median of ${run.repetitions}.`,
    rows,
    targets: [],
  };
}
