import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { LocalRedis, startLocalRedis } from '../../scripts/local-redis';
import { errorOf } from '../support/answers';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { Platform } from '../support/platform';
import { RunBody, finishedRun, getRun, storedEvents, submitRun } from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';

describe('A Redis outage', () => {
  // The test owns the data directory, so the restarted redis-server finds the append-only file.
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-outage-'));
  let redis: LocalRedis;
  let platform: Platform;
  let tenant: TestTenant;

  beforeAll(async () => {
    redis = await startLocalRedis({ appendonly: true, dir });
    platform = await Platform.start({
      prefix: 'bh-outage',
      env: {
        REDIS_URL: redis.url,
        WORKER_CONCURRENCY: '5',
        WORKER_LOCK_MS: '1000',
        WORKER_STALLED_INTERVAL_MS: '500',
      },
    });
    tenant = await createTenant(platform.url, 'outage');
  });

  afterAll(async () => {
    await platform?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('should answer 503 within 2 s while Redis is down, and finish every accepted run gaplessly once it is back', async () => {
    const runs: RunBody[] = await Promise.all(
      Array.from({ length: 12 }, () =>
        submitRun(platform.url, tenant.key, {
          agent: 'ticker',
          input: { steps: 20, intervalMs: 50 },
        }),
      ),
    );
    const client = await EventClient.connect(platform.url, tenant.key);
    await client.subscribe(runs[0]?.id ?? '');
    await eventually(async () =>
      expect((await getRun(platform.url, tenant.key, runs[0]?.id ?? '')).status).toBe('running'),
    );

    await redis.stop();
    const readyStarted = Date.now();
    await request(platform.url).get('/readyz').expect(503);
    const readyMs = Date.now() - readyStarted;
    const submitStarted = Date.now();
    const refused = await request(platform.url)
      .post('/v1/runs')
      .set(bearer(tenant.key))
      .send({ agent: 'echo', input: {} });
    const submitMs = Date.now() - submitStarted;
    redis = await startLocalRedis({ appendonly: true, port: redis.port, dir });

    expect(readyMs).toBeLessThan(2_000);
    expect(refused.status).toBe(503);
    expect(errorOf(refused).code).toBe('unavailable');
    expect(submitMs).toBeLessThan(2_000);
    const finished = await Promise.all(
      runs.map((run) => finishedRun(platform.url, tenant.key, run.id, 30_000)),
    );
    const outcomes = finished.map(
      (run) => `${run.status}${run.error ? `: ${run.error.message}` : ''}`,
    );
    expect(outcomes).toEqual(runs.map(() => 'succeeded'));
    for (const run of runs) {
      const ids = (await storedEvents(platform.url, tenant.key, run.id)).map((e) => e.id);
      expect(ids).toEqual(ids.map((_, i) => i + 1));
    }
    await client.untilFinished(runs[0]?.id ?? '', 10_000);
    expect(client.eventsOf(runs[0]?.id ?? '')).toEqual(
      await storedEvents(platform.url, tenant.key, runs[0]?.id ?? ''),
    );
    client.close();
  }, 60_000);
});
