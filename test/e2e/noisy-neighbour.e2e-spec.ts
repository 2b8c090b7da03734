import request from 'supertest';
import { eventually } from '../support/eventually';
import { inBatches } from '../support/fleet';
import { Platform } from '../support/platform';
import { redisCommandsSoFar } from '../support/redis-commands';
import { deleteKeysUnder, uniquePrefix } from '../support/redis-test-prefix';
import { RunBody, allRuns, finishedRun, submitRun } from '../support/runs';
import { TestTenant, bearer, createTenant, tenantView } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const shortTicker = { agent: 'ticker', input: { steps: 2, intervalMs: 5 } };

const startedAt = (run: RunBody) => Date.parse(String(run.startedAt));

/** How many of `runs` started after `from` and no later than `until`. */
const startedBetween = (runs: RunBody[], from: number, until: number) =>
  runs.filter((run) => startedAt(run) > from && startedAt(run) <= until).length;

/**
 * The longest any of `small` waited, counted in runs of `noisy` that started between the small run's
 * acceptance and its own start: its queueing delay, apart from how long the client took to submit it.
 */
const mostStartedAhead = (noisy: RunBody[], small: RunBody[]) =>
  Math.max(
    ...small.map((run) => startedBetween(noisy, Date.parse(String(run.createdAt)), startedAt(run))),
  );

describe('Fair scheduling: a noisy tenant does not delay the others', () => {
  const prefix = uniquePrefix();
  let platform: Platform;
  let url: string;

  // Workers start once the noisy backlog is queued: over HTTP, runs of a few ms finish faster than
  // one client can submit them, and the point is how the others fare behind a backlog.
  beforeEach(async () => {
    platform = await Platform.start({ prefix, workers: 0, env: { WORKER_CONCURRENCY: '10' } });
    url = platform.url;
  });

  afterEach(async () => {
    await platform?.stop();
  });

  afterAll(async () => {
    await deleteKeysUnder(prefix);
  });

  /** Starts two workers and waits until `tenant` has started `count` of its runs. */
  async function startWorkersUntil(tenant: TestTenant, count: number, total: number) {
    await Promise.all([platform.startWorker(), platform.startWorker()]);
    await eventually(
      async () => {
        const { usage } = await tenantView(url, tenant.id);
        expect(total - usage.queued).toBeGreaterThanOrEqual(count);
      },
      30_000,
      5,
    );
  }

  const submitMany = (tenant: TestTenant, count: number) =>
    inBatches(
      Array.from({ length: count }, (_, i) => i),
      50,
      () => submitRun(url, tenant.key, shortTicker),
    );

  const untilIdle = (tenant: TestTenant, timeoutMs = 120_000) =>
    eventually(
      async () =>
        expect((await tenantView(url, tenant.id)).usage).toMatchObject({ queued: 0, running: 0 }),
      timeoutMs,
      200,
    );

  /** Submits 20 runs each for two fresh tenants while `noisy` has a backlog; waits for them to end. */
  async function twoSmallTenantsDuring(noisy: TestTenant) {
    const backlog = (await tenantView(url, noisy.id)).usage.queued;
    const [b, c] = await Promise.all([createTenant(url, 'small-b'), createTenant(url, 'small-c')]);
    const submittedAt = Date.now();
    const small = await Promise.all(
      [b, c].flatMap((tenant) =>
        Array.from({ length: 20 }, async () => {
          const run = await submitRun(url, tenant.key, shortTicker);
          return finishedRun(url, tenant.key, run.id, 60_000);
        }),
      ),
    );
    return { backlog, submittedAt, small, finishedAt: Date.now() };
  }

  it('should start every run of two small tenants before a tenant with 2,000 queued starts 100 more, and keep it progressing', async () => {
    const noisy = await createTenant(url, 'noisy', {
      maxConcurrentRuns: 20,
      runsPerMinute: 100_000,
    });
    const commandsBefore = await redisCommandsSoFar();
    await submitMany(noisy, 2_000);
    await startWorkersUntil(noisy, 100, 2_000);

    const { backlog, submittedAt, small, finishedAt } = await twoSmallTenantsDuring(noisy);
    await untilIdle(noisy);
    const commands = (await redisCommandsSoFar()) - commandsBefore;

    const noisyRuns = await allRuns(url, noisy.key);
    const noisyStartsAhead = mostStartedAhead(noisyRuns, small);
    const noisyStartsWhileSmallRan = startedBetween(noisyRuns, submittedAt, finishedAt);
    console.log(
      `noisy neighbour: backlog ${backlog} when the small tenants submitted; the noisy tenant started ` +
        `at most ${noisyStartsAhead} runs while one of their 40 waited, ${noisyStartsWhileSmallRan} ` +
        `while they ran; ${(commands / 2_040).toFixed(1)} Redis commands per run end to end`,
    );
    expect(backlog).toBeGreaterThan(200);
    expect(small.map((run) => run.status)).toEqual(small.map(() => 'succeeded'));
    expect(noisyStartsAhead).toBeLessThan(100);
    expect(noisyStartsWhileSmallRan).toBeGreaterThan(0);
    expect(noisyRuns.filter((run) => run.status === 'succeeded')).toHaveLength(2_000);
  });

  it('should serve other tenants while one is held at its maxConcurrentRuns, parking its jobs instead of spinning on them', async () => {
    const capped = await createTenant(url, 'capped', {
      maxConcurrentRuns: 5,
      runsPerMinute: 100_000,
    });
    const commandsBefore = await redisCommandsSoFar();
    await submitMany(capped, 500);
    await startWorkersUntil(capped, 20, 500);

    const { backlog, small } = await twoSmallTenantsDuring(capped);
    await untilIdle(capped);
    const commands = (await redisCommandsSoFar()) - commandsBefore;

    const cappedRuns = await allRuns(url, capped.key);
    const parks = platform.logLines.filter(
      (line) => line.msg === 'run.parked' && line.tenantId === capped.id,
    ).length;
    const cappedStartsAhead = mostStartedAhead(cappedRuns, small);
    console.log(
      `capped tenant: backlog ${backlog}; ${parks} parks for 500 runs (${(parks / 500).toFixed(2)} per run); ` +
        `it started at most ${cappedStartsAhead} runs while one of the other 40 waited; ` +
        `${(commands / 540).toFixed(1)} Redis commands per run end to end`,
    );
    expect(backlog).toBeGreaterThan(100);
    expect(small.map((run) => run.status)).toEqual(small.map(() => 'succeeded'));
    expect(cappedStartsAhead).toBeLessThan(100);
    expect(parks / 500).toBeLessThan(3);
    expect(cappedRuns.filter((run) => run.status === 'succeeded')).toHaveLength(500);
  });
});

describe('Shared capacity: a tenant filling its limits with long runs leaves the fleet room for others', () => {
  // Defaults: one worker with WORKER_CONCURRENCY 8, a tenant's maxConcurrentRuns 10.
  const suite = usePlatform({ env: { WORKER_CONCURRENCY: '8' } });
  const threeMinutes = { agent: 'ticker', input: { steps: 1_800, intervalMs: 100 } };

  it("should start another tenant's run within seconds while one tenant's runs that last minutes fill its limits", async () => {
    const { url } = suite.platform;
    const [heavy, light] = await Promise.all([
      createTenant(url, 'heavy'),
      createTenant(url, 'light'),
    ]);
    const long = await Promise.all(
      Array.from({ length: 12 }, () => submitRun(url, heavy.key, threeMinutes)),
    );
    const heavyHolds = await eventually(
      async () => {
        const { usage } = await tenantView(url, heavy.id);
        expect(usage.running).toBeGreaterThanOrEqual(6);
        return usage.running;
      },
      15_000,
      100,
    );

    const submitted = Date.now();
    const quick = await submitRun(url, light.key, { agent: 'echo', input: { n: 1 } });
    const done = await finishedRun(url, light.key, quick.id, 5_000);

    console.log(
      `shared capacity: the heavy tenant held ${heavyHolds} of 8 slots; ` +
        `the light tenant's run ended ${Date.now() - submitted} ms after it was submitted`,
    );
    expect(done.status).toBe('succeeded');
    await Promise.all(
      long.map((run) => request(url).post(`/v1/runs/${run.id}/cancel`).set(bearer(heavy.key))),
    );
  });
});
