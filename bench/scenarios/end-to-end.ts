import { Queue, QueueEvents } from 'bullmq';
import { Platform, startBaseline, startBenchPlatform } from '../support/bench-platform';
import { RunWatcher, createTenant, submitRun } from '../support/bench-client';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { inLanes, median, repeat } from '../support/stats';
import { redisCommandsSoFar } from '../../test/support/redis-commands';

const CONCURRENCY = 10;
const LANES = 50;

/** Echo runs submitted over HTTP, each watched on a socket until its terminal event arrives. */
async function bulkheadRunsPerSecond(platform: Platform, count: number): Promise<number> {
  const tenant = await createTenant(platform.url, 'e2e');
  const watcher = await RunWatcher.connect(platform.url, tenant.key);
  const started = Date.now();
  await inLanes(Array.from({ length: count }), LANES, async () => {
    const runId = await submitRun(platform.url, tenant.key, { agent: 'echo', input: { n: 1 } });
    await watcher.finishedRun(runId);
  });
  const seconds = (Date.now() - started) / 1000;
  watcher.close();
  return count / seconds;
}

/** The same shape on raw BullMQ: Queue.add, then wait for the job's completion event. */
async function rawJobsPerSecond(redisUrl: string, prefix: string, count: number): Promise<number> {
  const queue = new Queue('raw', { connection: { url: redisUrl }, prefix });
  // From the start of the events stream, not '$': QueueEvents takes '$' at its first read, which a
  // loaded machine can issue after the first jobs already completed; their completion events were
  // then never seen and waitUntilFinished timed out (the quick bench's failure after the submit
  // scenario). The stream is this scenario's own and capped by BullMQ, so replaying it is cheap.
  const events = new QueueEvents('raw', {
    connection: { url: redisUrl },
    prefix,
    lastEventId: '0-0',
  });
  // Each waiting job listens on both; LANES of them at once is expected, not a leak.
  queue.setMaxListeners(LANES * 2);
  events.setMaxListeners(LANES * 2);
  await events.waitUntilReady();
  const started = Date.now();
  await inLanes(Array.from({ length: count }), LANES, async (_, i) => {
    // Kept a little: waitUntilFinished reads the job after its completion event.
    const job = await queue.add('echo', { n: i }, { removeOnComplete: { count: 1_000 } });
    await job.waitUntilFinished(events, 30_000);
  });
  const seconds = (Date.now() - started) / 1000;
  await Promise.all([queue.close(), events.close()]);
  return count / seconds;
}

export async function endToEnd(run: BenchRun): Promise<ScenarioResult> {
  const count = run.quick ? 500 : 2_000;
  const prefix = run.prefix('e2e');
  const platform = await startBenchPlatform(run.redisUrl, prefix, {
    workers: 1,
    env: { WORKER_CONCURRENCY: String(CONCURRENCY) },
  });
  const rawWorker = await startBaseline(
    'bench/baselines/raw-bullmq-worker.js',
    [run.redisUrl, `${prefix}:raw`, String(CONCURRENCY)],
    { PATH: process.env.PATH },
    'bench.ready',
  );
  const bulkhead: number[] = [];
  const raw: number[] = [];
  const commands = { bulkhead: [] as number[], raw: [] as number[] };
  /** Runs `measure`, and records the Redis commands it cost per run. */
  const counted = async <T>(into: number[], measure: () => Promise<T>): Promise<T> => {
    const before = await redisCommandsSoFar(run.redisUrl);
    const result = await measure();
    into.push(((await redisCommandsSoFar(run.redisUrl)) - before) / count);
    return result;
  };
  try {
    await bulkheadRunsPerSecond(platform, 100);
    await rawJobsPerSecond(run.redisUrl, `${prefix}:raw`, 100);
    await repeat(run.repetitions, async () => {
      raw.push(
        await counted(commands.raw, () => rawJobsPerSecond(run.redisUrl, `${prefix}:raw`, count)),
      );
      bulkhead.push(await counted(commands.bulkhead, () => bulkheadRunsPerSecond(platform, count)));
    });
  } finally {
    await Promise.all([platform.stop(), rawWorker.process.stop()]);
  }
  const [ours, baseline] = [median(bulkhead), median(raw)];
  const ratio = round(ours / baseline);
  const perRun = { ours: round(median(commands.bulkhead), 1), raw: round(median(commands.raw), 1) };
  return {
    scenario: '2. End-to-end runs/s',
    method: `${count} echo runs per repetition, ${LANES} in flight, each submitted over HTTP and followed on a socket to its terminal event; one worker process at concurrency ${CONCURRENCY}. Baseline: Queue.add then waitUntilFinished on raw BullMQ with a trivial processor in its own process, same concurrency and Redis. Median of ${run.repetitions}. Redis commands per run: INFO commandstats over each repetition (every command the server ran, scripts' inner commands included, heartbeats too) divided by its runs.`,
    rows: [
      {
        variant: 'raw BullMQ (baseline)',
        'per second': Math.round(baseline),
        ratio: 1,
        'Redis commands per run': perRun.raw,
      },
      {
        variant: 'Bulkhead (HTTP + worker + socket)',
        'per second': Math.round(ours),
        ratio,
        'Redis commands per run': perRun.ours,
      },
    ],
    targets: [
      { name: 'runs/s vs raw BullMQ jobs/s', goal: '≥ 0.50', value: ratio, met: ratio >= 0.5 },
      {
        name: 'Redis commands per run end to end',
        goal: '≤ 40',
        value: perRun.ours,
        met: perRun.ours <= 40,
      },
    ],
  };
}
