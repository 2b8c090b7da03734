import { Redis } from 'ioredis';
import request from 'supertest';
import { bodyOf, errorOf } from '../support/answers';
import { eventually } from '../support/eventually';
import { TEST_REDIS_URL } from '../support/redis-test-prefix';
import { RunBody, finishedRun, submitRun } from '../support/runs';
import { admin, bearer, createTenant, tenantView } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const echo = { agent: 'echo', input: { n: 1 } };

/** With no worker, runs stay queued and never expire: only the quota decides. */
describe('Storage quota: a tenant keeps at most maxStoredRuns runs', () => {
  const suite = usePlatform({ workers: 0 });

  it('should refuse a submission at maxStoredRuns with 429 storage_quota, creating nothing', async () => {
    const tenant = await createTenant(suite.platform.url, 'quota', { maxStoredRuns: 2 });
    await submitRun(suite.platform.url, tenant.key, echo);
    await submitRun(suite.platform.url, tenant.key, echo);

    const refused = await request(suite.platform.url)
      .post('/v1/runs')
      .set(bearer(tenant.key))
      .send(echo)
      .expect(429);

    const error = errorOf(refused);
    expect(error.code).toBe('storage_quota');
    expect(error.message).toContain('maxStoredRuns');
    const view = await tenantView(suite.platform.url, tenant.id);
    expect(view.limits).toMatchObject({ maxStoredRuns: 2 });
    expect(view.usage).toMatchObject({ stored: 2, queued: 2 });
  });

  it('should take a changed maxStoredRuns at once', async () => {
    const tenant = await createTenant(suite.platform.url, 'quota', { maxStoredRuns: 1 });
    await submitRun(suite.platform.url, tenant.key, echo);
    await request(suite.platform.url)
      .post('/v1/runs')
      .set(bearer(tenant.key))
      .send(echo)
      .expect(429);

    await request(suite.platform.url)
      .patch(`/v1/admin/tenants/${tenant.id}/limits`)
      .set(admin)
      .send({ maxStoredRuns: 2 })
      .expect(200);

    await submitRun(suite.platform.url, tenant.key, echo);
  });
});

/** Runs expire a second after they finish here, so the quota's release can be watched. */
describe('Storage quota: expired runs free their place', () => {
  const suite = usePlatform({ env: { RUN_RETENTION_SECONDS: '1' } });

  it('should free the quota as finished runs expire', async () => {
    const tenant = await createTenant(suite.platform.url, 'quota', { maxStoredRuns: 1 });
    const first = await submitRun(suite.platform.url, tenant.key, echo);
    await finishedRun(suite.platform.url, tenant.key, first.id);

    const second = await eventually(
      () => submitRun(suite.platform.url, tenant.key, echo),
      10_000,
      200,
    );

    expect(second.status).toBe('queued');
  });

  it('should leave no key of a run that is neither indexed nor expiring', async () => {
    const tenant = await createTenant(suite.platform.url, 'quota');
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => submitRun(suite.platform.url, tenant.key, echo)),
    );
    await Promise.all(runs.map((run) => finishedRun(suite.platform.url, tenant.key, run.id)));
    const redis = new Redis(TEST_REDIS_URL);

    try {
      const base = `${suite.prefix}:{${tenant.id}}`;
      const indexed = new Set<string>(await redis.zrange(`${base}:runs`, '0', '-1'));
      const runKeys = await redis.keys(`${base}:run:*`);
      for (const key of runKeys) {
        const runId = key.slice(`${base}:run:`.length).replace(/:events$/, '');
        const ttl = await redis.ttl(key);
        expect({ key, reachable: indexed.has(runId) || ttl > 0 }).toEqual({ key, reachable: true });
      }
    } finally {
      redis.disconnect();
    }
  });

  it('should let a replayed Idempotency-Key create a new run once the run it named expired', async () => {
    const tenant = await createTenant(suite.platform.url, 'quota');
    const submit = () =>
      request(suite.platform.url)
        .post('/v1/runs')
        .set({ ...bearer(tenant.key), 'Idempotency-Key': 'order-1' })
        .send(echo);
    const first = bodyOf<RunBody>(await submit().expect(202));
    await finishedRun(suite.platform.url, tenant.key, first.id);

    const replay = await eventually(
      async () => {
        const response = await submit();
        if (response.status === 200) {
          throw new Error('the first run has not expired yet');
        }
        return response;
      },
      10_000,
      200,
    );

    expect(replay.status).toBe(202);
    expect(bodyOf<RunBody>(replay).id).not.toBe(first.id);
  });

  it('should let another request reuse an Idempotency-Key once the run it named expired', async () => {
    const tenant = await createTenant(suite.platform.url, 'quota');
    const submit = (input: object) =>
      request(suite.platform.url)
        .post('/v1/runs')
        .set({ ...bearer(tenant.key), 'Idempotency-Key': 'order-2' })
        .send({ agent: 'echo', input });
    const first = bodyOf<RunBody>(await submit({ n: 1 }).expect(202));
    await finishedRun(suite.platform.url, tenant.key, first.id);

    const other = await eventually(
      async () => {
        const response = await submit({ n: 2 });
        if (response.status === 409) {
          throw new Error('the first run has not expired yet');
        }
        return response;
      },
      10_000,
      200,
    );

    expect(other.status).toBe(202);
  });
});
