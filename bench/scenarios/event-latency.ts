import { Socket, io } from 'socket.io-client';
import {
  Platform,
  runToCompletion,
  startBaseline,
  startBenchPlatform,
} from '../support/bench-platform';
import { RunWatcher, createTenant, submitRun } from '../support/bench-client';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { medianOf, percentile, repeat } from '../support/stats';

const RUNS = 20;
const INTERVAL_MS = 20; // 20 runs × 50 events/s = 1,000 events/s

interface Latency extends Record<string, number> {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly events: number;
}

function latencyOf(samples: number[]): Latency {
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    events: samples.length,
  };
}

/** Ticker runs submitted through API 1; a socket on API 2 receives them: emit (worker) to receipt. */
async function bulkheadLatency(platform: Platform, steps: number): Promise<Latency> {
  const tenant = await createTenant(platform.url, 'latency');
  const watcher = await RunWatcher.connect(platform.urls[1] ?? '', tenant.key);
  const runIds = await Promise.all(
    Array.from({ length: RUNS }, () =>
      submitRun(platform.url, tenant.key, {
        agent: 'ticker',
        input: { steps, intervalMs: INTERVAL_MS },
      }),
    ),
  );
  await Promise.all(runIds.map((runId) => watcher.finishedRun(runId)));
  watcher.close();
  const live = ({ event }: { event: { runId: string; ts: string } }) =>
    Date.parse(event.ts) >= (watcher.subscribedAt.get(event.runId) ?? Infinity);
  const samples = watcher.arrivals
    .filter((arrival) => arrival.event.type === 'agent.progress' && live(arrival))
    .map(({ event, at }) => at - Date.parse(event.ts));
  return latencyOf(samples);
}

/** Raw socket.io with the Redis adapter: an emitter process to a client on the second server. */
async function rawLatency(redisUrl: string, channel: string, count: number): Promise<Latency> {
  const env = { PATH: process.env.PATH };
  const servers = await Promise.all(
    [0, 1].map(() =>
      startBaseline(
        'bench/baselines/raw-socketio-server.js',
        [redisUrl, channel],
        env,
        'bench.listening',
      ),
    ),
  );
  const client: Socket = io(`http://127.0.0.1:${servers[1]?.port ?? 0}`, {
    transports: ['websocket'],
    forceNew: true,
  });
  const samples: number[] = [];
  client.on('bench.event', (message: { sentAt: number }) =>
    samples.push(Date.now() - message.sentAt),
  );
  await new Promise((resolve) => client.once('connect', () => resolve(undefined)));
  await new Promise((resolve) => setTimeout(resolve, 200)); // the join reaches the adapter
  try {
    await runToCompletion(
      'bench/baselines/raw-socketio-emitter.js',
      [redisUrl, channel, String(count), '1000'],
      env,
    );
    const deadline = Date.now() + 10_000;
    while (samples.length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    client.close();
    await Promise.all(servers.map((server) => server.process.stop()));
  }
  return latencyOf(samples);
}

export async function eventLatency(run: BenchRun): Promise<ScenarioResult> {
  const steps = run.quick ? 150 : 500;
  const prefix = run.prefix('latency');
  const platform = await startBenchPlatform(run.redisUrl, prefix, {
    apis: 2,
    workers: 1,
    env: { WORKER_CONCURRENCY: String(RUNS) },
  });
  const ours: Latency[] = [];
  const raw: Latency[] = [];
  try {
    await repeat(run.repetitions, async (rep) => {
      raw.push(await rawLatency(run.redisUrl, `${prefix}:raw-${rep}`, RUNS * steps));
      ours.push(await bulkheadLatency(platform, steps));
    });
  } finally {
    await platform.stop();
  }
  const [bulkhead, baseline] = [medianOf(ours), medianOf(raw)];
  const p99Ratio = round(bulkhead.p99 / Math.max(baseline.p99, 1));
  const row = (variant: string, l: Latency) => ({
    variant,
    events: l.events,
    'p50 ms': l.p50,
    'p99 ms': l.p99,
    'max ms': l.max,
  });
  return {
    scenario: '3. Event latency',
    method: `${RUNS} ticker runs × ${steps} steps every ${INTERVAL_MS} ms (1,000 events/s, ${RUNS * steps} events), submitted through API 1, received on a socket of API 2; latency from the worker's event timestamp to receipt (ms clock). Baseline: @socket.io/redis-emitter in its own process to a client of the second of two socket.io servers with the Redis adapter, same rate and count. Median of ${run.repetitions}.`,
    rows: [row('raw socket.io + Redis adapter (baseline)', baseline), row('Bulkhead', bulkhead)],
    targets: [
      {
        name: 'p99 vs raw socket.io p99',
        goal: '≤ 2 (× baseline, baseline floored at 1 ms)',
        value: p99Ratio,
        met: p99Ratio <= 2,
      },
      {
        name: 'p99 at 1,000 events/s',
        goal: '< 25 ms',
        value: bulkhead.p99,
        met: bulkhead.p99 < 25,
      },
    ],
  };
}
