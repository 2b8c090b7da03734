import { Redis } from 'ioredis';
import { hasRedisServer, isRedisAt, startLocalRedis } from '../scripts/local-redis';
import { BenchRun, ScenarioResult, writeResults } from './support/report';
import { endToEnd } from './scenarios/end-to-end';
import { invalidInputIsolation } from './scenarios/invalid-input-isolation';
import { llmBookkeeping } from './scenarios/llm-bookkeeping';
import { eventLatency } from './scenarios/event-latency';
import { memory } from './scenarios/memory';
import { scaleOut } from './scenarios/scale-out';
import { submitThroughput } from './scenarios/submit-throughput';

/**
 * `npm run bench [-- --quick]`: every scenario of docs/benchmarks.md against its baseline measured in
 * this run, on 127.0.0.1 only, with built API and worker processes. Uses the Redis on 127.0.0.1:6379,
 * or starts a throwaway one; deletes only its own keys. Writes bench/results/latest.{json,md}.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = optionValue('--only');
  const redis = await benchRedis();
  const runId = `bh-bench-${process.pid}`;
  const run: BenchRun = {
    redisUrl: redis.url,
    quick,
    repetitions: 3,
    prefix: (name) => `${runId}-${name}`,
  };
  const scenarios: Array<[string, () => Promise<ScenarioResult | ScenarioResult[]>]> = [
    ['submit throughput and request-scope cost', () => submitThroughput(run)],
    ['end-to-end runs/s', () => endToEnd(run)],
    ['event latency', () => eventLatency(run)],
    ['memory', () => memory(run)],
    ['scale-out', () => scaleOut(run)],
    ['invalid input isolation', () => invalidInputIsolation(run)],
    ['LLM call bookkeeping', () => llmBookkeeping(run)],
  ];
  const results: ScenarioResult[] = [];
  const started = Date.now();
  try {
    for (const [name, scenario] of scenarios) {
      if (only !== undefined && !name.includes(only)) {
        continue;
      }
      process.stdout.write(`bench: ${name} …\n`);
      results.push(...[await scenario()].flat());
    }
  } finally {
    await deleteKeys(redis.url, `${runId}-`);
    await redis.stop();
  }
  const order = (r: ScenarioResult) => r.scenario;
  results.sort((a, b) => order(a).localeCompare(order(b), 'en', { numeric: true }));
  process.stdout.write(`${writeResults(results, quick)}\n`);
  process.stdout.write(`bench: done in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

/** `--only <text>` runs only the scenarios whose name contains the text, to iterate on one lever. */
function optionValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function benchRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (await isRedisAt('127.0.0.1', 6379)) {
    return { url: 'redis://127.0.0.1:6379', stop: () => Promise.resolve() };
  }
  if (!hasRedisServer()) {
    throw new Error('No Redis on 127.0.0.1:6379 and no redis-server to start.');
  }
  const local = await startLocalRedis();
  process.stdout.write(`bench: started a throwaway redis-server at ${local.url}\n`);
  return { url: local.url, stop: () => local.stop() };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
    if ((keys as string[]).length > 0) {
      await redis.unlink(...(keys as string[]));
    }
  }
  redis.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
