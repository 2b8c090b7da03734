import autocannon from 'autocannon';
import { startBenchPlatform } from '../support/bench-platform';
import { createTenant, submitRun } from '../support/bench-client';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { medianOf, repeat } from '../support/stats';

/** A steady stream, as a misbehaving client sends it, not a flood: a flood of any request saturates. */
const INVALID_PER_SECOND = 200;
/** The other tenant's reads, at a rate that leaves the API room, so its p99 is latency, not a queue. */
const READS_PER_SECOND = 500;

interface Sample extends Record<string, number> {
  readonly p99Ms: number;
  readonly requestsPerSecond: number;
}

/** About 60 KiB: a thousand keys the ticker's strict schema does not know, under RUN_INPUT_MAX_BYTES. */
function invalidBody(): string {
  const input = Object.fromEntries(
    Array.from({ length: 1_000 }, (_, i) => [`unknown_${'k'.repeat(40)}_${i}`, i]),
  );
  return JSON.stringify({ agent: 'ticker', input: { steps: 1, ...input } });
}

async function victimReads(url: string, key: string, runId: string, seconds: number) {
  const result = await autocannon({
    url: `${url}/v1/runs/${runId}`,
    connections: 10,
    overallRate: READS_PER_SECOND,
    duration: seconds,
    headers: { authorization: `Bearer ${key}` },
  });
  return { p99Ms: result.latency.p99, requestsPerSecond: result.requests.average };
}

function invalidStream(url: string, key: string, seconds: number) {
  return autocannon({
    url: `${url}/v1/runs`,
    method: 'POST',
    connections: 10,
    overallRate: INVALID_PER_SECOND,
    duration: seconds,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: invalidBody(),
  });
}

/**
 * Scenario 7: another tenant's GET /v1/runs/:id p99 alone, then while one tenant sends a steady stream
 * of ~60 KiB invalid bodies, on one API process. Cheap bounds run before the
 * agent's schema and an error answer is a few KiB, so the stream should barely move the p99.
 */
export async function invalidInputIsolation(run: BenchRun): Promise<ScenarioResult> {
  const seconds = run.quick ? 3 : 10;
  const platform = await startBenchPlatform(run.redisUrl, run.prefix('invalid'), { workers: 0 });
  const alone: Sample[] = [];
  const during: Sample[] = [];
  try {
    const [victim, attacker] = await Promise.all([
      createTenant(platform.url, 'victim'),
      createTenant(platform.url, 'attacker'),
    ]);
    const runId = await submitRun(platform.url, victim.key, { agent: 'echo', input: { n: 1 } });
    await repeat(run.repetitions, async () => {
      alone.push(await victimReads(platform.url, victim.key, runId, seconds));
      const [reads, stream] = await Promise.all([
        victimReads(platform.url, victim.key, runId, seconds),
        invalidStream(platform.url, attacker.key, seconds),
      ]);
      if (stream.non2xx === 0) {
        throw new Error('the invalid stream was accepted');
      }
      during.push(reads);
    });
  } finally {
    await platform.stop();
  }
  const [baseline, attacked] = [medianOf(alone), medianOf(during)];
  const moved = round(attacked.p99Ms - baseline.p99Ms);
  return {
    scenario: '7. Invalid input from one tenant vs another tenant p99',
    method: `GET /v1/runs/:id by one tenant (autocannon, ${READS_PER_SECOND} req/s, ${seconds} s) alone, then while another tenant posts ${INVALID_PER_SECOND} ~60 KiB invalid bodies a second; one API process; median of ${run.repetitions}.`,
    rows: [
      {
        variant: 'reads alone (baseline)',
        'p99 ms': baseline.p99Ms,
        'req/s': Math.round(baseline.requestsPerSecond),
      },
      {
        variant: 'reads during the invalid stream',
        'p99 ms': attacked.p99Ms,
        'req/s': Math.round(attacked.requestsPerSecond),
      },
    ],
    targets: [
      { name: "other tenant's p99 moved by (ms)", goal: '≤ 5', value: moved, met: moved <= 5 },
    ],
  };
}
