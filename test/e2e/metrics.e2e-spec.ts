import request from 'supertest';
import { bodyOf } from '../support/answers';
import { samplesNamed, samplesOf } from '../support/metrics';
import { freePort } from '../../scripts/local-redis';
import { eventually } from '../support/eventually';
import { finishedRun, submitRun } from '../support/runs';
import { admin, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const TENANT_LABELS = 2;

describe('Metrics: GET /metrics on the API, per tenant with a capped tenant label', () => {
  const suite = usePlatform({
    workers: 0,
    env: { METRICS_TENANT_LABELS: String(TENANT_LABELS) },
  });
  const scrape = async () => {
    const response = await request(suite.platform.url).get('/metrics').set(admin).expect(200);
    return { type: String(response.headers['content-type']), samples: samplesOf(response.text) };
  };

  it('should answer 401 without the admin token, never the series', async () => {
    const response = await request(suite.platform.url).get('/metrics').expect(401);

    expect(response.text).not.toMatch(/bulkhead_/);
  });

  it(`should count submitted runs by tenant and agent, with at most ${TENANT_LABELS} tenants labelled and the rest other`, async () => {
    const tenants = await Promise.all(
      [1, 2, 3, 4].map((i) => createTenant(suite.platform.url, `metrics${i}`)),
    );
    for (const [i, tenant] of tenants.entries()) {
      for (let run = 0; run <= i; run += 1) {
        await submitRun(suite.platform.url, tenant.key, { agent: 'echo', input: { run } });
      }
    }

    const { type, samples } = await scrape();
    const submitted = samplesNamed(samples, 'bulkhead_runs_submitted_total');
    const labelled = new Set(submitted.map((sample) => sample.labels.tenant));

    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(submitted.every((sample) => sample.labels.agent === 'echo')).toBe(true);
    expect(submitted.reduce((sum, sample) => sum + sample.value, 0)).toBe(10);
    expect([...labelled].filter((label) => label !== 'other')).toHaveLength(TENANT_LABELS);
    expect(labelled.has('other')).toBe(true);
  });

  it('should count a run refused by a tenant limit under that limit', async () => {
    const tenant = await createTenant(suite.platform.url, 'metrics-limit', { runsPerMinute: 1 });
    await submitRun(suite.platform.url, tenant.key, { agent: 'echo', input: {} });
    const refused = await request(suite.platform.url)
      .post('/v1/runs')
      .set('authorization', `Bearer ${tenant.key}`)
      .send({ agent: 'echo', input: {} })
      .expect(429);

    const { samples } = await scrape();
    const rejected = samplesNamed(samples, 'bulkhead_runs_rejected_total');

    expect(bodyOf<{ code: string }>(refused).code).toBe('runs_per_minute');
    expect(rejected.map((sample) => [sample.labels.reason, sample.value])).toContainEqual([
      'runs_per_minute',
      1,
    ]);
  });

  it("should report the process's sockets, subscriptions, /lg answers and its own health", async () => {
    const { samples } = await scrape();
    const names = new Set(samples.map((sample) => sample.name));

    for (const name of [
      'bulkhead_sockets',
      'bulkhead_socket_subscriptions',
      'bulkhead_lg_answers',
      'bulkhead_process_resident_memory_bytes',
      'bulkhead_nodejs_eventloop_lag_seconds',
    ]) {
      expect(names).toContain(name);
    }
  });

  it("should serve a worker's runs started and finished, their durations and its slots on METRICS_PORT", async () => {
    const tenant = await createTenant(suite.platform.url, 'metrics-worker');
    const port = await freePort();
    await suite.platform.startWorker({ METRICS_PORT: String(port), WORKER_CONCURRENCY: '4' });

    const run = await submitRun(suite.platform.url, tenant.key, { agent: 'echo', input: {} });
    await finishedRun(suite.platform.url, tenant.key, run.id);
    const samples = await eventually(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      const scraped = samplesOf(await response.text());
      expect(samplesNamed(scraped, 'bulkhead_runs_finished_total').length).toBeGreaterThan(0);
      return scraped;
    });
    const elsewhere = await fetch(`http://127.0.0.1:${port}/other`);

    const value = (name: string, labels: Record<string, string> = {}) =>
      samplesNamed(samples, name).find((sample) =>
        Object.entries(labels).every(([key, label]) => sample.labels[key] === label),
      )?.value;
    expect(value('bulkhead_runs_started_total', { agent: 'echo' })).toBeGreaterThanOrEqual(1);
    expect(
      value('bulkhead_runs_finished_total', { agent: 'echo', status: 'succeeded' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value('bulkhead_run_attempt_duration_seconds_count', { agent: 'echo', status: 'succeeded' }),
    ).toBeGreaterThanOrEqual(1);
    expect(value('bulkhead_worker_slots_free')! + value('bulkhead_worker_slots_busy')!).toBe(4);
    expect(elsewhere.status).toBe(404);
  });
});
