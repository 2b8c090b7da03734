import {
  HeapReading,
  Platform,
  PlatformProcess,
  heapOf,
  startBaseline,
  startBenchPlatform,
} from '../support/bench-platform';
import { connectEvents, createTenant, submitRun, unfinishedRuns } from '../support/bench-client';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { inLanes } from '../support/stats';

const SOCKETS = 1_000;
const MIB = 1024 * 1024;

async function completeRuns(platform: Platform, count: number): Promise<void> {
  const tenant = await createTenant(platform.url, 'memory');
  await inLanes(Array.from({ length: count }), 50, () =>
    submitRun(platform.url, tenant.key, { agent: 'echo', input: { n: 1 } }),
  );
  while ((await unfinishedRuns(platform.url, tenant.id)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What SOCKETS idle sockets on `/events` with `key` add to `process`'s heap and RSS. */
async function socketCost(
  process: PlatformProcess,
  url: string,
  key: string,
): Promise<HeapReading> {
  const before = await heapOf(process);
  const sockets = await inLanes(Array.from({ length: SOCKETS }), 50, () => connectEvents(url, key));
  const after = await heapOf(process);
  sockets.forEach((socket) => socket.close());
  return { heapUsed: after.heapUsed - before.heapUsed, rss: after.rss - before.rss };
}

/** The same on a bare socket.io server with the Redis adapter and a token check (the baseline). */
async function rawSocketCost(redisUrl: string, prefix: string): Promise<HeapReading> {
  const server = await startBaseline(
    'bench/baselines/raw-socketio-server.js',
    [redisUrl, `${prefix}:raw-io`, 'raw-token'],
    { PATH: process.env.PATH },
    'bench.listening',
  );
  try {
    return await socketCost(server.process, `http://127.0.0.1:${server.port}`, 'raw-token');
  } finally {
    await server.process.stop();
  }
}

/**
 * Heap (after forced GC) and RSS of the API per 1,000 idle authenticated sockets, against a bare
 * socket.io server's for the same sockets; then heap of API and
 * worker after N completed runs against their heap at the start (after a 500-run warm-up and GC).
 */
export async function memory(run: BenchRun): Promise<ScenarioResult> {
  const runs = run.quick ? 5_000 : 20_000;
  const platform = await startBenchPlatform(run.redisUrl, run.prefix('memory'), {
    workers: 1,
    env: { WORKER_CONCURRENCY: '10' },
  });
  const [api, worker] = [platform.apis[0], platform.workers[0]];
  if (!api || !worker) {
    throw new Error('platform did not start');
  }
  try {
    const tenant = await createTenant(platform.url, 'sockets');
    const sockets = await socketCost(api, platform.url, tenant.key);
    const rawSockets = await rawSocketCost(run.redisUrl, run.prefix('memory'));
    const socketRatio = round(sockets.heapUsed / rawSockets.heapUsed);

    await completeRuns(platform, 500);
    const [apiStart, workerStart] = await Promise.all([heapOf(api), heapOf(worker)]);
    await completeRuns(platform, runs);
    const [apiEnd, workerEnd] = await Promise.all([heapOf(api), heapOf(worker)]);

    const growth = (end: number, start: number) => round((end - start) / start, 3);
    const apiGrowth = growth(apiEnd.heapUsed, apiStart.heapUsed);
    const workerGrowth = growth(workerEnd.heapUsed, workerStart.heapUsed);
    const mib = (bytes: number) => round(bytes / MIB, 1);
    return {
      scenario: '5. Memory',
      method: `API heap after GC and RSS with ${SOCKETS} idle authenticated sockets against none, and the same on a bare socket.io server with the Redis adapter and a token check (the baseline); heap after GC of API and worker after ${runs} completed echo runs against after a 500-run warm-up (the baseline).`,
      rows: [
        {
          measure: `raw socket.io, per ${SOCKETS} idle sockets (baseline)`,
          'heap MiB': mib(rawSockets.heapUsed),
          'RSS MiB': mib(rawSockets.rss),
          growth: '',
        },
        {
          measure: `API, per ${SOCKETS} idle sockets`,
          'heap MiB': mib(sockets.heapUsed),
          'RSS MiB': mib(sockets.rss),
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
          name: `API heap per ${SOCKETS} idle sockets vs raw socket.io`,
          goal: '≤ 1.5',
          value: socketRatio,
          met: socketRatio <= 1.5,
        },
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
