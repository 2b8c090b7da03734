import request from 'supertest';
import { PageAnswer, bodyOf, errorOf } from '../support/answers';
import { agentWindow, mostAtOnce } from '../support/concurrency';
import { eventually } from '../support/eventually';
import { RunBody, finishedRun, getRun, storedEvents, submitRun } from '../support/runs';
import { admin, bearer, createTenant, setLimits, tenantView } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const slowTicker = { agent: 'ticker', input: { steps: 200, intervalMs: 50 } };

describe('Per-tenant limits', () => {
  const suite = usePlatform({
    workers: 2,
    env: { WORKER_CONCURRENCY: '10', TENANT_MAX_TOKENS_PER_DAY: '100000' },
  });
  let url: string;

  beforeAll(() => {
    url = suite.platform.url;
  });

  const cancelAll = (key: string, runIds: string[]) =>
    Promise.all(runIds.map((id) => request(url).post(`/v1/runs/${id}/cancel`).set(bearer(key))));

  describe('limits and usage in the admin API', () => {
    it('should show the configured defaults and zero usage for a new tenant', async () => {
      const tenant = await createTenant(url, 'defaults');

      const view = await tenantView(url, tenant.id);

      expect(view.limits).toEqual({
        maxConcurrentRuns: 10,
        maxQueuedRuns: 10_000,
        runsPerMinute: 600,
        maxStoredRuns: 10_000,
        maxTokensPerDay: 100_000,
      });
      expect(view.usage).toMatchObject({ queued: 0, running: 0 });
    });

    it('should set one limit, keep the others, and return a limit set to null to its default', async () => {
      const tenant = await createTenant(url, 'patch', { runsPerMinute: 50 });

      const raised = await setLimits(url, tenant.id, { maxConcurrentRuns: 4 });
      const reset = await setLimits(url, tenant.id, { runsPerMinute: null });

      expect(raised.limits).toEqual({
        maxConcurrentRuns: 4,
        maxQueuedRuns: 10_000,
        runsPerMinute: 50,
        maxStoredRuns: 10_000,
        maxTokensPerDay: 100_000,
      });
      expect(reset.limits).toEqual({
        maxConcurrentRuns: 4,
        maxQueuedRuns: 10_000,
        runsPerMinute: 600,
        maxStoredRuns: 10_000,
        maxTokensPerDay: 100_000,
      });
    });

    it('should take maxTokensPerDay at creation, exempt a tenant from the default with 0, and return it with null', async () => {
      const tenant = await createTenant(url, 'tokens', { maxTokensPerDay: 5_000 });

      const created = await tenantView(url, tenant.id);
      const none = await setLimits(url, tenant.id, { maxTokensPerDay: 0 });
      const reset = await setLimits(url, tenant.id, { maxTokensPerDay: null });

      expect(created.limits.maxTokensPerDay).toBe(5_000);
      expect(none.limits.maxTokensPerDay).toBeNull();
      expect(reset.limits.maxTokensPerDay).toBe(100_000);
    });

    it.each([
      [{}, 'name at least one'],
      [{ maxConcurrentRuns: 0 }, 'maxConcurrentRuns'],
      [{ maxQueuedRuns: 100_001 }, 'maxQueuedRuns'],
      [{ runsPerMinute: 'fast' }, 'runsPerMinute'],
      [{ maxTokensPerDay: -1 }, 'maxTokensPerDay'],
      [{ maxTokensPerDay: 1.5 }, 'maxTokensPerDay'],
      [{ burst: 5 }, 'burst'],
    ])('should answer 400 naming the problem for the change %j', async (patch, named) => {
      const tenant = await createTenant(url, 'badpatch');

      const response = await request(url)
        .patch(`/v1/admin/tenants/${tenant.id}/limits`)
        .set(admin)
        .send(patch)
        .expect(400);

      expect(JSON.stringify(response.body)).toContain(named);
    });

    it('should answer 404 for the limits of a tenant that does not exist', async () => {
      await request(url)
        .patch('/v1/admin/tenants/no-such-tenant/limits')
        .set(admin)
        .send({ maxConcurrentRuns: 2 })
        .expect(404);
    });
  });

  describe('maxQueuedRuns', () => {
    it('should answer 429 naming the limit once the tenant has that many runs queued, and create no run', async () => {
      const tenant = await createTenant(url, 'queuefull', {
        maxConcurrentRuns: 1,
        maxQueuedRuns: 3,
      });
      const first = await submitRun(url, tenant.key, slowTicker);
      await eventually(async () =>
        expect((await getRun(url, tenant.key, first.id)).status).toBe('running'),
      );
      const queued = [
        await submitRun(url, tenant.key, slowTicker),
        await submitRun(url, tenant.key, slowTicker),
        await submitRun(url, tenant.key, slowTicker),
      ];

      const refused = await request(url).post('/v1/runs').set(bearer(tenant.key)).send(slowTicker);

      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'max_queued_runs' });
      expect(errorOf(refused).message).toContain('maxQueuedRuns');
      expect((await tenantView(url, tenant.id)).usage).toMatchObject({ queued: 3, running: 1 });
      const listed = await request(url)
        .get('/v1/runs?limit=100')
        .set(bearer(tenant.key))
        .expect(200);
      expect(bodyOf<PageAnswer<RunBody>>(listed).items).toHaveLength(4);
      await cancelAll(tenant.key, [first.id, ...queued.map((run) => run.id)]);
    });
  });

  describe('runsPerMinute', () => {
    it('should answer 429 with Retry-After beyond the rate, still replay an accepted idempotent run, and take a raised limit at once', async () => {
      const tenant = await createTenant(url, 'rate', { runsPerMinute: 5 });
      const echo = { agent: 'echo', input: { n: 1 } };
      const accepted = await request(url)
        .post('/v1/runs')
        .set({ ...bearer(tenant.key), 'Idempotency-Key': 'rate-1' })
        .send(echo)
        .expect(202);
      for (let i = 0; i < 4; i += 1) {
        await submitRun(url, tenant.key, echo);
      }

      const refused = await request(url).post('/v1/runs').set(bearer(tenant.key)).send(echo);
      const replay = await request(url)
        .post('/v1/runs')
        .set({ ...bearer(tenant.key), 'Idempotency-Key': 'rate-1' })
        .send(echo);
      await setLimits(url, tenant.id, { runsPerMinute: 1_000 });
      const afterRaise = await request(url).post('/v1/runs').set(bearer(tenant.key)).send(echo);

      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'runs_per_minute' });
      expect(errorOf(refused).message).toContain('runsPerMinute');
      // 5 per minute: the next one is due 12 s after the first.
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(10);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(12);
      expect(replay.status).toBe(200);
      expect(bodyOf<RunBody>(replay).id).toBe(bodyOf<RunBody>(accepted).id);
      expect(afterRaise.status).toBe(202);
    });

    it('should count each tenant on its own', async () => {
      const limited = await createTenant(url, 'rate-a', { runsPerMinute: 1 });
      const other = await createTenant(url, 'rate-b', { runsPerMinute: 1 });
      const echo = { agent: 'echo', input: {} };
      await submitRun(url, limited.key, echo);
      await request(url).post('/v1/runs').set(bearer(limited.key)).send(echo).expect(429);

      await request(url).post('/v1/runs').set(bearer(other.key)).send(echo).expect(202);
    });
  });

  describe('maxConcurrentRuns', () => {
    it('should never run more of a tenant at once than its limit across two workers, and end with zero usage', async () => {
      const tenant = await createTenant(url, 'concurrent', { maxConcurrentRuns: 2 });
      const runs = await Promise.all(
        Array.from({ length: 12 }, () =>
          submitRun(url, tenant.key, { agent: 'ticker', input: { steps: 4, intervalMs: 15 } }),
        ),
      );

      const finished = await Promise.all(
        runs.map((run) => finishedRun(url, tenant.key, run.id, 20_000)),
      );
      const windows = await Promise.all(
        runs.map(async (run) => agentWindow(await storedEvents(url, tenant.key, run.id))),
      );

      expect(finished.map((run) => run.status)).toEqual(runs.map(() => 'succeeded'));
      expect(mostAtOnce(windows)).toBeLessThanOrEqual(2);
      expect(mostAtOnce(windows)).toBe(2);
      expect((await tenantView(url, tenant.id)).usage).toMatchObject({ queued: 0, running: 0 });
    });

    it('should start parked runs at once when the limit is raised, without waiting for a run to end', async () => {
      const tenant = await createTenant(url, 'raise', { maxConcurrentRuns: 1 });
      const runs = await Promise.all(
        Array.from({ length: 4 }, () => submitRun(url, tenant.key, slowTicker)),
      );
      await eventually(async () =>
        expect((await tenantView(url, tenant.id)).usage.running).toBe(1),
      );

      await setLimits(url, tenant.id, { maxConcurrentRuns: 4 });

      await eventually(async () =>
        expect((await tenantView(url, tenant.id)).usage).toMatchObject({ queued: 0, running: 4 }),
      );
      await cancelAll(
        tenant.key,
        runs.map((run) => run.id),
      );
    });

    it('should not hold up another tenant while one is at its limit with a backlog', async () => {
      const busy = await createTenant(url, 'busy', { maxConcurrentRuns: 1 });
      const busyRuns = await Promise.all(
        Array.from({ length: 30 }, () => submitRun(url, busy.key, slowTicker)),
      );
      await eventually(async () => expect((await tenantView(url, busy.id)).usage.running).toBe(1));
      const other = await createTenant(url, 'other');

      const quick = await Promise.all(
        Array.from({ length: 10 }, () =>
          submitRun(url, other.key, { agent: 'ticker', input: { steps: 2, intervalMs: 5 } }),
        ),
      );

      const finished = await Promise.all(quick.map((run) => finishedRun(url, other.key, run.id)));
      expect(finished.map((run) => run.status)).toEqual(quick.map(() => 'succeeded'));
      expect((await tenantView(url, busy.id)).usage).toMatchObject({ queued: 29, running: 1 });
      await cancelAll(
        busy.key,
        busyRuns.map((run) => run.id),
      );
    });
  });
});
