import { Socket, io } from 'socket.io-client';
import { BenchPlatform } from '../support/bench-platform';
import { createTenant, submitRun } from '../support/bench-client';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { inLanes } from '../support/stats';
import { ADMIN_TOKEN } from '../support/bench-platform';

const SOCKETS = 1_000;
const MIB = 1024 * 1024;

function connect(url: string, key: string): Promise<Socket> {
  const socket = io(`${url}/events`, {
    auth: { token: key },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function untilIdle(url: string, tenantId: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${url}/v1/admin/tenants/${tenantId}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const { usage } = (await response.json()) as { usage: { queued: number; running: number } };
    if (usage.queued + usage.running === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function completeRuns(platform: BenchPlatform, count: number): Promise<void> {
  const tenant = await createTenant(platform.url(), 'memory');
  await inLanes(Array.from({ length: count }), 50, () =>
    submitRun(platform.url(), tenant.key, { agent: 'echo', input: { n: 1 } }),
  );
  await untilIdle(platform.url(), tenant.id);
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
  if (!api || !worker) throw new Error('platform did not start');
  try {
    const tenant = await createTenant(platform.url(), 'sockets');
    const idle = await api.heap();
    const sockets = await inLanes(Array.from({ length: SOCKETS }), 50, () =>
      connect(platform.url(), tenant.key),
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
