import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { exitOnFailure } from '../../scripts/exit-on-failure';

/**
 * `npm run bench:http-door [-- --quick]`: req/s and p99 of one POST doing one Redis write, served
 * six ways (see server.ts), each a fresh process, 50 connections, median of the repetitions. Ratios
 * are against fastify-bare measured in the same run. Loopback only; every request loop is bounded.
 */
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 3 : 10;
const REPETITIONS = quick ? 1 : 3;
const VARIANTS = [
  'fastify-bare',
  'fastify-guard',
  'fastify-context',
  'fastify-door',
  'fastify-request-scoped',
  'express-bare',
];
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bh-bench-${process.pid}`;

interface Sample {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
}

async function measure(variant: string): Promise<Sample> {
  const server = spawn(
    process.execPath,
    [join(__dirname, 'server.js'), variant, REDIS_URL, PREFIX],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
  const url = `http://127.0.0.1:${String((JSON.parse(line) as { port: number }).port)}/bench`;
  const options = {
    url,
    method: 'POST' as const,
    connections: 50,
    headers: { 'content-type': 'application/json' },
    body: '{"agent":"echo"}',
  };
  await autocannon({ ...options, duration: 1 });
  const result = await autocannon({ ...options, duration: SECONDS });
  server.kill('SIGTERM');
  await once(server, 'exit');
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v, []]));
  for (let rep = 0; rep < REPETITIONS; rep += 1) {
    // Each repetition starts with another variant, so no variant always runs first (cold).
    const order = VARIANTS.map((_, i) => VARIANTS[(i + rep) % VARIANTS.length] ?? '');
    for (const variant of order) {
      samples.get(variant)?.push(await measure(variant));
    }
  }
  const rows = VARIANTS.map((variant) => {
    const runs = samples.get(variant) ?? [];
    return {
      variant,
      requestsPerSecond: median(runs.map((s) => s.requestsPerSecond)),
      p99Ms: median(runs.map((s) => s.p99Ms)),
    };
  });
  const baseline = rows[0]?.requestsPerSecond ?? 1;
  const table = [
    '| variant | req/s | p99 ms | ratio to fastify-bare |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${Math.round(r.requestsPerSecond)} | ${r.p99Ms} | ${(r.requestsPerSecond / baseline).toFixed(2)} |`,
    ),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  const results = join(__dirname, '..', '..', '..', 'bench', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, 'http-door.json'),
    JSON.stringify({ seconds: SECONDS, repetitions: REPETITIONS, connections: 50, rows }, null, 2),
  );
  await cleanup();
}

async function cleanup(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  for await (const keys of redis.scanStream({ match: `${PREFIX}:*`, count: 1000 })) {
    if ((keys as string[]).length > 0) {
      await redis.unlink(...(keys as string[]));
    }
  }
  redis.disconnect();
}

main().catch(exitOnFailure);
