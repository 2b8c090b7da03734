import { Worker } from 'bullmq';
import { exitOnFailure } from '../../scripts/exit-on-failure';

/**
 * Baseline for end-to-end runs/s: a plain BullMQ worker with a trivial processor, at the concurrency
 * Bulkhead's worker runs with. argv: redis url, queue prefix, concurrency.
 */
const [redisUrl = 'redis://127.0.0.1:6379', prefix = 'bh-bench', concurrency = '10'] =
  process.argv.slice(2);

const worker = new Worker('raw', (job) => Promise.resolve({ echoed: job.data as unknown }), {
  connection: { url: redisUrl },
  prefix,
  concurrency: Number(concurrency),
});

worker
  .waitUntilReady()
  .then(() => {
    process.stdout.write(`${JSON.stringify({ msg: 'bench.ready' })}\n`);
  })
  .catch(exitOnFailure);
process.once('SIGTERM', () => {
  worker
    .close()
    .then(() => process.exit(0))
    .catch(exitOnFailure);
});
