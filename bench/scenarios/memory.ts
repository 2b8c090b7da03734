import { BenchPlatform } from '../support/bench-platform';
import { connectEvents, createTenant, submitRun, unfinishedRuns } from '../support/bench-client';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { inLanes } from '../support/stats';

const SOCKETS = 1_000;
const MIB = 1024 * 1024;

async function completeRuns(platform: BenchPlatform, count: number): Promise<void> {
  const tenant = await createTenant(platform.url(), 'memory');
  await inLanes(Array.from({ length: count }), 50, () =>
    submitRun(platform.url(), tenant.key, { agent: 'echo', input: { n: 1 } }),
  );
  while ((await unfinishedRuns(platform.url(), tenant.id)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Heap (after forced GC) and RSS of the API per 1,000 idle authenticated sockets; then heap of API and
 * worker after N completed runs against their heap at the start (after a 500-run warm-up and GC).
 */
export async function memory(run: BenchRun): Promise<ScenarioResult> {
  const runs = run.quick ? 5_000 : 20_000;
  const platform = await BenchPlatform.start(run.redisUrl, run.prefix('memory'), {
    workers: 1,
    env: { WORKER_CONCURRENCY: '10' },
  });
  const [api, worker] = [platform.apis[0], platform.workers[0]];
  if (!api || !worker) {
    throw new Error('platform did not start');
  }
  try {
    const tenant = await createTenant(platform.url(), 'sockets');
    const idle = await api.heap();
    const sockets = await inLanes(Array.from({ length: SOCKETS }), 50, () =>
      connectEvents(platform.url(), tenant.key),
    );
    const connected = await api.heap();
    sockets.forEach((socket) => socket.close());

    await completeRuns(platform, 500);
    const [apiStart, workerStart] = await Promise.all([api.heap(), worker.heap()]);
    await completeRuns(platform, runs);
    const [apiEnd, workerEnd] = await Promise.all([api.heap(), worker.heap()]);

    const growth = (end: number, start: number) => round((end - start) / start, 3);
    const apiGrowth = growth(apiEnd.heapUsed, apiStart.heapUsed);
    const workerGrowth = growth(workerEnd.heapUsed, workerStart.heapUsed);
    const mib = (bytes: number) => round(bytes / MIB, 1);
    return {
      scenario: '5. Memory',
      method: `API heap after GC and RSS with ${SOCKETS} idle authenticated sockets against none; heap after GC of API and worker after ${runs} completed echo runs against after a 500-run warm-up (the baseline).`,
      rows: [
        {
          measure: `API, per ${SOCKETS} idle sockets`,
          'heap MiB': mib(connected.heapUsed - idle.heapUsed),
          'RSS MiB': mib(connected.rss - idle.rss),
          growth: '',
        },
        {
          measure: `API heap, start → after ${runs} runs`,
          'heap MiB': `${mib(apiStart.heapUsed)} → ${mib(apiEnd.heapUsed)}`,
          'RSS MiB': `${mib(apiStart.rss)} → ${mib(apiEnd.rss)}`,
          growth: apiGrowth,
        },
        {
          measure: `worker heap, start → after ${runs} runs`,
          'heap MiB': `${mib(workerStart.heapUsed)} → ${mib(workerEnd.heapUsed)}`,
          'RSS MiB': `${mib(workerStart.rss)} → ${mib(workerEnd.rss)}`,
          growth: workerGrowth,
        },
      ],
      targets: [
        {
          name: `API heap growth after ${runs} runs`,
          goal: '≤ 0.05',
          value: apiGrowth,
          met: apiGrowth <= 0.05,
        },
        {
          name: `worker heap growth after ${runs} runs`,
          goal: '≤ 0.05',
          value: workerGrowth,
          met: workerGrowth <= 0.05,
        },
      ],
    };
  } finally {
    await platform.stop();
  }
}
