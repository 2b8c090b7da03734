import { Worker } from 'bullmq';

/**
 * Baseline for end-to-end runs/s: a plain BullMQ worker with a trivial processor, at the concurrency
 * Bulkhead's worker runs with. argv: redis url, queue prefix, concurrency.
 */
const [redisUrl = 'redis://127.0.0.1:6379', prefix = 'bh-bench', concurrency = '10'] =
  process.argv.slice(2);

const worker = new Worker('raw', async (job) => ({ echoed: job.data as unknown }), {
  connection: { url: redisUrl },
  prefix,
  concurrency: Number(concurrency),
});

void worker.waitUntilReady().then(() => {
  process.stdout.write(`${JSON.stringify({ msg: 'bench.ready' })}\n`);
});
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
