import { Redis } from 'ioredis';
import request from 'supertest';
import { PageAnswer, bodyOf } from '../support/answers';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { inBatches } from '../support/fleet';
import { Platform, PlatformProcess, ProcessStats } from '../support/platform';
import { TEST_REDIS_URL, deleteKeysUnder, uniquePrefix } from '../support/redis-test-prefix';
import { RunBody, submitRun } from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';

const BATCHES = 12;
const RUNS_PER_BATCH = 500;
const ACTIVE_TENANTS = 50;
const TENANTS_ARRIVING_PER_BATCH = 10;
const WARM_UP_BATCHES = 2;
const RETENTION_SECONDS = 2;

interface Sample {
  readonly batch: number;
  readonly api: ProcessStats;
  readonly worker: ProcessStats;
  readonly runKeys: number;
  /** Run keys with no expiry set: only those of runs not finished yet. */
  readonly unexpiringRunKeys: number;
  readonly allKeys: number;
}

/**
 * Drives BATCHES × RUNS_PER_BATCH runs through one API and one worker, with tenants arriving and
 * leaving and sockets coming and going, and reads each process's heap after a forced GC per batch.
 * Memory must not grow with the number of runs or tenants served.
 */
describe('Memory under rotating tenants', () => {
  const prefix = uniquePrefix();
  let platform: Platform;
  let redis: Redis;
  let watcher: EventClient;
  let resident: TestTenant;
  let long: RunBody;
  const samples: Sample[] = [];

  beforeAll(async () => {
    platform = await Platform.start({
      prefix,
      env: {
        WORKER_CONCURRENCY: '25',
        RUN_RETENTION_SECONDS: String(RETENTION_SECONDS),
      },
    });
    redis = new Redis(TEST_REDIS_URL);
    resident = await createTenant(platform.url, 'resident');
    long = await submitRun(platform.url, resident.key, {
      agent: 'ticker',
      input: { steps: 10_000, intervalMs: 1_000 },
    });
    watcher = await EventClient.connect(platform.url, resident.key);
    await watcher.subscribe(long.id);

    let tenants: TestTenant[] = [];
    for (let batch = 1; batch <= BATCHES; batch += 1) {
      tenants = await rotate(tenants, batch);
      await runBatch(tenants, batch);
      samples.push(await sample(batch));
    }
  }, 600_000);

  afterAll(async () => {
    await request(platform.url).post(`/v1/runs/${long.id}/cancel`).set(bearer(resident.key));
    watcher?.close();
    redis?.disconnect();
    await platform?.stop();
    await deleteKeysUnder(prefix);
  }, 30_000);

  it('should keep each process heap flat after warm-up: under 5 % growth and under 1 KiB per run', async () => {
    const report = ['api', 'worker'].map((role) => heapTrend(role as 'api' | 'worker'));
    process.stdout.write(
      `\n${samples.map(describeSample).join('\n')}\n${report.map((r) => r.summary).join('\n')}\n`,
    );

    const failing = report.filter((r) => r.growth >= 0.05 || r.bytesPerRun >= 1024);
    if (failing.length > 0) {
      await writeSnapshots();
    }
    expect(failing.map((r) => r.summary)).toEqual([]);
  });

  it("should hold no ExecutionRegistry but the connected socket's, and one run room member per subscription, once idle", () => {
    for (const { api, worker } of samples) {
      expect(api.registries.live).toBe(1);
      expect(api.extra).toMatchObject({ sockets: 1, runRooms: 1, runRoomMembers: 1 });
      expect(worker.registries.live).toBe(1);
    }
  });

  it('should let finished runs and their events expire after the retention period', async () => {
    // After each batch every run has finished but the resident's long one, whose hash and stream
    // are the only run keys left without an expiry. How many finished runs are still within their
    // retention at that moment depends on how fast the batch ran, so it is not what is checked.
    expect(samples.map((s) => s.unexpiringRunKeys)).toEqual(samples.map(() => 2));

    await eventually(
      async () => expect(await countKeys(`${prefix}:*:run:*`)).toBe(2),
      (RETENTION_SECONDS + 5) * 1_000,
      250,
    );
  });

  async function rotate(current: TestTenant[], batch: number): Promise<TestTenant[]> {
    const arriving = batch === 1 ? ACTIVE_TENANTS : TENANTS_ARRIVING_PER_BATCH;
    const fresh = await Promise.all(
      Array.from({ length: arriving }, () => createTenant(platform.url, `mem${batch}`)),
    );
    return [...current.slice(fresh.length), ...fresh].slice(-ACTIVE_TENANTS);
  }

  /** Every tenant submits its share; a fifth of them watch their runs on a socket they then close. */
  async function runBatch(tenants: TestTenant[], batch: number): Promise<void> {
    const perTenant = RUNS_PER_BATCH / tenants.length;
    const watchers = await Promise.all(
      tenants.slice(0, 10).map((t) => EventClient.connect(platform.url, t.key)),
    );
    const work = tenants.flatMap((tenant, t) =>
      Array.from({ length: perTenant }, (_, i) => ({ tenant, t, i })),
    );
    const runs = await inBatches(work, 25, async ({ tenant, t, i }) => {
      const body =
        i % 2 === 0
          ? { agent: 'echo', input: { batch, i } }
          : { agent: 'ticker', input: { steps: 2, intervalMs: 0 } };
      const run = await submitRun(platform.url, tenant.key, body);
      if (t < watchers.length && i === 0) {
        await watchers[t]?.subscribe(run.id);
      }
      return { run, tenant };
    });
    // Finished runs expire after RETENTION_SECONDS, so completion is read from what is still
    // queued or running, not from each run (which may be gone already).
    await eventually(async () => expect(await unfinishedOf(tenants)).toBe(0), 60_000, 250);
    await Promise.all(
      watchers.map((client, t) => client.untilFinished(firstRunOf(runs, tenants[t]?.id))),
    );
    watchers.forEach((client) => client.close());
    await eventually(
      async () => expect((await platform.apis[0]?.stats())?.extra.sockets).toBe(1),
      5_000,
      50,
    );
  }

  async function unfinishedOf(tenants: TestTenant[]): Promise<number> {
    const counts = await inBatches(tenants, 10, async (tenant) => {
      const pages = await Promise.all(
        ['queued', 'running'].map((status) =>
          request(platform.url)
            .get(`/v1/runs?status=${status}&limit=1`)
            .set(bearer(tenant.key))
            .expect(200),
        ),
      );
      return pages.reduce((sum, page) => sum + bodyOf<PageAnswer<RunBody>>(page).items.length, 0);
    });
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async function sample(batch: number): Promise<Sample> {
    const [api, worker] = await Promise.all([
      statsOf(platform.apis[0]),
      statsOf(platform.workers[0]),
    ]);
    return {
      batch,
      api,
      worker,
      runKeys: await countKeys(`${prefix}:*:run:*`),
      unexpiringRunKeys: await countKeysWithoutExpiry(`${prefix}:*:run:*`),
      allKeys: await countKeys(`${prefix}:*`),
    };
  }

  function heapTrend(role: 'api' | 'worker') {
    const steady = samples.filter((s) => s.batch > WARM_UP_BATCHES);
    const heaps = steady.map((s) => s[role].heapUsed);
    const first = heaps[0] ?? 0;
    const last = heaps[heaps.length - 1] ?? 0;
    const growth = (last - first) / first;
    const bytesPerRun =
      slope(
        steady.map((s) => s.batch),
        heaps,
      ) / RUNS_PER_BATCH;
    const summary = `${role}: heap ${mib(first)} → ${mib(last)} MiB (${(growth * 100).toFixed(1)} %), slope ${bytesPerRun.toFixed(0)} B/run`;
    return { growth, bytesPerRun, summary };
  }

  async function writeSnapshots(): Promise<void> {
    const paths = await Promise.all([
      platform.apis[0]?.heapSnapshot(),
      platform.workers[0]?.heapSnapshot(),
    ]);
    process.stdout.write(`heap snapshots: ${paths.join(', ')}\n`);
  }

  async function countKeysWithoutExpiry(pattern: string): Promise<number> {
    let count = 0;
    for await (const keys of redis.scanStream({ match: pattern, count: 1000 })) {
      const pipeline = redis.pipeline();
      (keys as string[]).forEach((key) => pipeline.ttl(key));
      const ttls = ((await pipeline.exec()) ?? []).map(([, ttl]) => ttl);
      count += ttls.filter((ttl) => ttl === -1).length;
    }
    return count;
  }

  async function countKeys(pattern: string): Promise<number> {
    let count = 0;
    for await (const keys of redis.scanStream({ match: pattern, count: 1000 })) {
      count += (keys as string[]).length;
    }
    return count;
  }
});

async function statsOf(process: PlatformProcess | undefined): Promise<ProcessStats> {
  if (!process) {
    throw new Error('no such process');
  }
  return process.stats();
}

function firstRunOf(
  runs: Array<{ run: RunBody; tenant: TestTenant }>,
  tenantId: string | undefined,
): string {
  return runs.find(({ tenant }) => tenant.id === tenantId)?.run.id ?? '';
}

/** Least-squares slope of y over x. */
function slope(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  const covariance = x.reduce((sum, xi, i) => sum + (xi - mx) * ((y[i] ?? 0) - my), 0);
  const variance = x.reduce((sum, xi) => sum + (xi - mx) ** 2, 0);
  return covariance / variance;
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(2);
}

function describeSample(s: Sample): string {
  return `batch ${s.batch}: api heap ${mib(s.api.heapUsed)} MiB, worker heap ${mib(s.worker.heapUsed)} MiB, registries ${s.api.registries.live}/${s.worker.registries.live}, run keys ${s.runKeys} (${s.unexpiringRunKeys} without expiry), keys ${s.allKeys}`;
}
