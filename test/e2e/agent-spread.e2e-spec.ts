import request from 'supertest';
import { Interval, agentWindow, mostAtOnce } from '../support/concurrency';
import { eventually } from '../support/eventually';
import { PlatformProcess } from '../support/platform';
import {
  EventBody,
  RunBody,
  finishedRun,
  getRun,
  isTerminalEvent,
  storedEvents,
  submitRun,
} from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const TICKER_ONLY = 'test/e2e/fixtures/ticker-only.agents.js';
const COUNTER_AND_ECHO = 'test/e2e/fixtures/counter-and-echo.agents.js';

/**
 * The guarantees of one fleet, with agents spread over workers that serve different sets: ticker on
 * one worker, counter and echo on others, each consuming only its agents' queues.
 */
describe('Agents spread over workers that serve different sets', () => {
  const suite = usePlatform({
    workers: 0,
    env: { WORKER_LOCK_MS: '1000', WORKER_STALLED_INTERVAL_MS: '500' },
  });
  let counterWorker: PlatformProcess;

  beforeAll(async () => {
    await suite.platform.startAgentWorker('ticker-worker', TICKER_ONLY);
    counterWorker = await suite.platform.startAgentWorker('counter-worker', COUNTER_AND_ECHO, {
      WORKER_CONCURRENCY: '1',
    });
  });

  const submit = (tenant: TestTenant, agent: string, input: object) =>
    submitRun(suite.platform.url, tenant.key, { agent, input });
  const finished = (tenant: TestTenant, runs: RunBody[]) =>
    Promise.all(runs.map((run) => finishedRun(suite.platform.url, tenant.key, run.id, 30_000)));
  const eventsOf = (tenant: TestTenant, runs: RunBody[]) =>
    Promise.all(runs.map((run) => storedEvents(suite.platform.url, tenant.key, run.id)));
  const running = (tenant: TestTenant, run: RunBody) =>
    eventually(async () =>
      expect((await getRun(suite.platform.url, tenant.key, run.id)).status).toBe('running'),
    );

  it("should hold a tenant's maxConcurrentRuns across the queues of agents on different workers", async () => {
    const tenant = await createTenant(suite.platform.url, 'spread-limit', {
      maxConcurrentRuns: 2,
    });
    const runs = [
      ...(await Promise.all([1, 2, 3].map(() => submit(tenant, 'ticker', tickerInput)))),
      ...(await Promise.all([1, 2].map(() => submit(tenant, 'counter', counterInput)))),
    ];

    const done = await finished(tenant, runs);

    expect(done.map((run) => run.status)).toEqual(runs.map(() => 'succeeded'));
    expect(mostAtOnce((await eventsOf(tenant, runs)).map(agentWindow))).toBeLessThanOrEqual(2);
  });

  it('should deliver a cancel to whichever worker runs the run', async () => {
    const tenant = await createTenant(suite.platform.url, 'spread-cancel');
    const long = { steps: 200, intervalMs: 50 };
    const [ticking, counting] = await Promise.all([
      submit(tenant, 'ticker', long),
      submit(tenant, 'counter', long),
    ]);
    await Promise.all([running(tenant, ticking), running(tenant, counting)]);

    for (const run of [ticking, counting]) {
      await request(suite.platform.url)
        .post(`/v1/runs/${run.id}/cancel`)
        .set(bearer(tenant.key))
        .expect(202);
    }
    const done = await finished(tenant, [ticking, counting]);

    expect(done.map((run) => run.status)).toEqual(['cancelled', 'cancelled']);
  });

  it("should serve the tenant with the smaller backlog first within an agent's queue", async () => {
    const [noisy, quiet] = await Promise.all([
      createTenant(suite.platform.url, 'spread-noisy'),
      createTenant(suite.platform.url, 'spread-quiet'),
    ]);
    const backlog: RunBody[] = [];
    for (let i = 0; i < 8; i += 1) {
      backlog.push(await submit(noisy, 'counter', counterInput));
    }
    const quietRun = await submit(quiet, 'counter', counterInput);

    await finished(noisy, backlog);
    await finished(quiet, [quietRun]);

    const starts = [
      ...(await eventsOf(noisy, backlog)).map(startedAt),
      ...(await eventsOf(quiet, [quietRun])).map(startedAt),
    ];
    const quietStart = starts.at(-1) ?? 0;
    const startedBefore = starts.filter((at) => at < quietStart).length;
    // The counter worker has one slot: the noisy run it holds, at most one more, then the quiet one.
    expect(startedBefore).toBeLessThanOrEqual(2);
  });

  it("should share a worker's slots between its agents' queues: never more at once, neither starved", async () => {
    const tenant = await createTenant(suite.platform.url, 'spread-slots');
    const counting = await Promise.all(
      [1, 2, 3, 4].map(() => submit(tenant, 'counter', { steps: 4, intervalMs: 50 })),
    );
    const echoing = await Promise.all([1, 2, 3, 4].map((i) => submit(tenant, 'echo', { i })));

    const done = await finished(tenant, [...counting, ...echoing]);

    expect(done.map((run) => run.status)).toEqual(done.map(() => 'succeeded'));
    const lives = (await eventsOf(tenant, [...counting, ...echoing])).map(startToEnd);
    // The counter worker has one slot, for counter and echo runs alike.
    expect(mostAtOnce(lives)).toBe(1);
    const firstEchoEnd = Math.min(...lives.slice(counting.length).map((life) => life.end));
    const lastCounterStart = Math.max(...lives.slice(0, counting.length).map((l) => l.start));
    expect(firstEchoEnd).toBeLessThan(lastCounterStart);
  });

  it("should finish a killed worker's run on another worker serving its agent", async () => {
    const tenant = await createTenant(suite.platform.url, 'spread-crash');
    const run = await submit(tenant, 'counter', { steps: 30, intervalMs: 50 });
    await eventually(async () =>
      expect((await storedEvents(suite.platform.url, tenant.key, run.id)).length).toBeGreaterThan(
        4,
      ),
    );

    await counterWorker.stop('SIGKILL');
    await suite.platform.startAgentWorker('counter-worker-2', COUNTER_AND_ECHO);
    const [done] = await finished(tenant, [run]);

    expect(done?.status).toBe('succeeded');
    const [events] = await eventsOf(tenant, [run]);
    expect(events?.filter((e) => e.type === 'run.started').map((e) => e.data)).toEqual([
      { attempt: 1, recovered: false },
      { attempt: 2, recovered: true },
    ]);
  });
});

const tickerInput = { steps: 6, intervalMs: 50 };
const counterInput = { steps: 6, intervalMs: 50 };

/** From the run's start to its end, as the worker's scripts stamped them (Redis's clock). */
function startToEnd(events: EventBody[]): Interval {
  const end = events.find(isTerminalEvent);
  return { start: startedAt(events), end: end ? Date.parse(end.ts) : Number.NaN };
}

function startedAt(events: EventBody[]): number {
  const started = events.find((event) => event.type === 'run.started');
  return started ? Date.parse(started.ts) : Number.NaN;
}
