import autocannon from 'autocannon';
import { ADMIN_TOKEN, startBaseline, startBenchPlatform } from '../support/bench-platform';
import { BenchTenant, createTenant } from '../support/bench-client';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { medianOf, repeat } from '../support/stats';

interface Sample extends Record<string, number> {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
}

async function load(
  url: string,
  seconds: number,
  headers: Record<string, string>,
): Promise<Sample> {
  const options = {
    url,
    method: 'POST' as const,
    connections: 50,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ agent: 'echo', input: { n: 1 } }),
  };
  await autocannon({ ...options, duration: 1 });
  const result = await autocannon({ ...options, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99 };
}

/**
 * Scenarios 1 and 4 share their measurements: POST /v1/runs on the API as built, on the same submit
 * path with every provider in default scope (bench/request-scope), and a bare Nest-on-Fastify route
 * doing one Redis write (bench/http-door, fastify-bare). Interleaved per repetition, 50 connections,
 * API only (no worker competes for the cores).
 */
export async function submitThroughput(run: BenchRun): Promise<ScenarioResult[]> {
  const seconds = run.quick ? 3 : 10;
  const prefix = run.prefix('submit');
  const platform = await startBenchPlatform(run.redisUrl, prefix, { workers: 0 });
  const env = {
    PATH: process.env.PATH,
    PORT: '0',
    REDIS_URL: run.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    BULKHEAD_ADMIN_TOKEN: ADMIN_TOKEN,
    // As the built API runs: a log line per accepted run is part of the path being compared.
    LOG_LEVEL: 'info',
  };
  const defaultScope = await startBaseline(
    'bench/request-scope/default-scope-api.js',
    [],
    env,
    'bench.listening',
  );
  const bare = await startBaseline(
    'bench/http-door/server.js',
    ['fastify-bare', run.redisUrl, prefix],
    env,
    'bench.listening',
  );
  const samples = { built: [] as Sample[], defaultScope: [] as Sample[], bare: [] as Sample[] };
  try {
    await repeat(run.repetitions, async () => {
      // A fresh tenant per repetition keeps each under its queue limit.
      const tenant: BenchTenant = await createTenant(platform.url, 'submit');
      const auth = { authorization: `Bearer ${tenant.key}` };
      samples.bare.push(await load(`http://127.0.0.1:${bare.port}/bench`, seconds, {}));
      samples.built.push(await load(`${platform.url}/v1/runs`, seconds, auth));
      const other = await createTenant(platform.url, 'submit');
      samples.defaultScope.push(
        await load(`http://127.0.0.1:${defaultScope.port}/v1/runs`, seconds, {
          authorization: `Bearer ${other.key}`,
        }),
      );
    });
  } finally {
    await Promise.all([platform.stop(), defaultScope.process.stop(), bare.process.stop()]);
  }
  const [built, scoped, baseline] = [
    medianOf(samples.built),
    medianOf(samples.defaultScope),
    medianOf(samples.bare),
  ];
  const submitRatio = round(built.requestsPerSecond / baseline.requestsPerSecond);
  const scopeCost = round(1 - built.requestsPerSecond / scoped.requestsPerSecond);
  const row = (variant: string, s: Sample, against: Sample) => ({
    variant,
    'req/s': Math.round(s.requestsPerSecond),
    'p99 ms': s.p99Ms,
    ratio: round(s.requestsPerSecond / against.requestsPerSecond),
  });
  return [
    {
      scenario: '1. Submit throughput',
      method: `POST /v1/runs, autocannon, 50 connections, ${seconds} s, median of ${run.repetitions}; baseline: a bare Nest-on-Fastify route doing one Redis write.`,
      rows: [
        row('bare route (baseline)', baseline, baseline),
        row('Bulkhead POST /v1/runs', built, baseline),
      ],
      targets: [
        {
          name: 'submit req/s vs bare route',
          goal: '≥ 0.60',
          value: submitRatio,
          met: submitRatio >= 0.6,
        },
      ],
    },
    {
      scenario: '4. Request-scope cost',
      method: `The same submit path with every provider in default scope (bench/request-scope, no request scope at all) against the API as built, which gives each request a scope and opens its registry on a handler's first use; same load.`,
      rows: [
        row('default scope (baseline)', scoped, scoped),
        row('as built (registry on first use)', built, scoped),
      ],
      targets: [
        {
          name: 'req/s lost to the per-request registry',
          goal: '≤ 0.10',
          value: scopeCost,
          met: scopeCost <= 0.1,
        },
      ],
    },
  ];
}
