import { queueNameOf } from '@bulkhead/queue';
import { Queue } from 'bullmq';
import request from 'supertest';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { TEST_REDIS_URL } from '../support/redis-test-prefix';
import { EventBody, finishedRun, getRun, storedEvents, submitRun } from '../support/runs';
import { TestTenant, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Reliability of accepted runs', () => {
  const suite = usePlatform({
    apis: 2,
    workers: 1,
    env: {
      WORKER_LOCK_MS: '1000',
      WORKER_STALLED_INTERVAL_MS: '500',
      SHUTDOWN_GRACE_MS: '500',
      SHUTDOWN_DRAIN_MS: '500',
    },
  });
  let tenant: TestTenant;

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'reliable');
  });

  const running = (runId: string) =>
    eventually(async () =>
      expect((await getRun(suite.platform.url, tenant.key, runId)).status).toBe('running'),
    );

  it('should do nothing when a finished run is delivered again', async () => {
    const run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'echo',
      input: { once: true },
    });
    const finished = await finishedRun(suite.platform.url, tenant.key, run.id);
    const eventsBefore = await storedEvents(suite.platform.url, tenant.key, run.id);
    const queue = new Queue(queueNameOf('echo'), {
      connection: { url: TEST_REDIS_URL },
      prefix: `${suite.prefix}:queue`,
    });

    const context = { tenantId: tenant.id, runId: run.id, requestId: 'second-delivery' };
    await queue.add('execute-run', { context }, { jobId: run.id, removeOnComplete: true });
    await eventually(() =>
      expect(
        suite.platform.logLines.some((l) => l.msg === 'run.skipped' && l.runId === run.id),
      ).toBe(true),
    );
    await queue.close();

    expect(await getRun(suite.platform.url, tenant.key, run.id)).toEqual(finished);
    expect(await storedEvents(suite.platform.url, tenant.key, run.id)).toEqual(eventsBefore);
  });

  it("should finish a crashed worker's run on another worker, continuing the same event log", async () => {
    const doomed = suite.platform.workers[suite.platform.workers.length - 1];
    const run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'ticker',
      input: { steps: 20, intervalMs: 50 },
    });
    await eventually(async () =>
      expect((await storedEvents(suite.platform.url, tenant.key, run.id)).length).toBeGreaterThan(
        4,
      ),
    );

    await doomed?.stop('SIGKILL');
    await suite.platform.startWorker();
    const finished = await finishedRun(suite.platform.url, tenant.key, run.id, 20_000);

    expect(finished.status).toBe('succeeded');
    const events = await storedEvents(suite.platform.url, tenant.key, run.id);
    expectGapless(events);
    const starts = events.filter((e) => e.type === 'run.started').map((e) => e.data);
    expect(starts).toEqual([
      { attempt: 1, recovered: false },
      { attempt: 2, recovered: true },
    ]);
    expect(events.filter((e) => e.type === 'run.succeeded')).toHaveLength(1);
  });

  it('should let a stopping worker finish short runs and hand longer ones to another worker', async () => {
    const stopping = suite.platform.workers[suite.platform.workers.length - 1];
    const short = await submitRun(suite.platform.url, tenant.key, {
      agent: 'ticker',
      input: { steps: 2, intervalMs: 100 },
    });
    const long = await submitRun(suite.platform.url, tenant.key, {
      agent: 'ticker',
      input: { steps: 40, intervalMs: 50 },
    });
    await Promise.all([running(short.id), running(long.id)]);

    const stopped = stopping?.stop('SIGTERM');
    await suite.platform.startWorker();
    await stopped;
    const [shortRun, longRun] = await Promise.all([
      finishedRun(suite.platform.url, tenant.key, short.id),
      finishedRun(suite.platform.url, tenant.key, long.id, 20_000),
    ]);

    expect(shortRun.status).toBe('succeeded');
    expect(shortRun.attempts).toBe(1);
    expect(longRun.status).toBe('succeeded');
    const events = await storedEvents(suite.platform.url, tenant.key, long.id);
    expectGapless(events);
    expect(events.map((e) => e.type)).toContain('run.requeued');
    expect(events.filter((e) => e.type === 'run.started')).toHaveLength(2);
    expect(stopping?.lines.some((line) => line.msg === 'worker.grace_expired')).toBe(true);
  });

  it('should turn /readyz to 503, tell sockets why and close them when an API process stops, losing no run', async () => {
    const leaving = await suite.platform.startApi();
    const leavingUrl = suite.platform.urls[suite.platform.urls.length - 1] ?? '';
    const client = await EventClient.connect(leavingUrl, tenant.key);
    const notices: unknown[] = [];
    client.socket.on('server.shutdown', (notice: unknown) => notices.push(notice));
    const run = await submitRun(leavingUrl, tenant.key, {
      agent: 'ticker',
      input: { steps: 5, intervalMs: 50 },
    });
    const disconnected = client.disconnected();

    const stopped = leaving.stop('SIGTERM');
    await eventually(() => request(leavingUrl).get('/readyz').expect(503), 2_000, 20);
    await stopped;

    // The transport is closed (not a socket.io disconnect), so clients reconnect on their own.
    expect(await disconnected).toBe('transport close');
    expect(notices).toEqual([{ reason: expect.stringContaining('shutting down') as unknown }]);
    expect((await finishedRun(suite.platform.url, tenant.key, run.id)).status).toBe('succeeded');
  });

  it('should resume a dropped socket after its last event id, gapless and without duplicates', async () => {
    const run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'ticker',
      input: { steps: 30, intervalMs: 20 },
    });
    const first = await EventClient.connect(suite.platform.urls[0] ?? '', tenant.key);
    await first.subscribe(run.id);
    await eventually(() => expect(first.eventsOf(run.id).length).toBeGreaterThan(5));

    first.close();
    const lastSeen = first.eventsOf(run.id).at(-1)?.id ?? 0;
    const second = await EventClient.connect(suite.platform.urls[1] ?? '', tenant.key);
    await second.subscribe(run.id, lastSeen);
    await second.untilFinished(run.id);
    second.close();

    const stitched = [...first.eventsOf(run.id), ...second.eventsOf(run.id)];
    expect(stitched).toEqual(await storedEvents(suite.platform.url, tenant.key, run.id));
  });
});

function expectGapless(events: EventBody[]): void {
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
}
