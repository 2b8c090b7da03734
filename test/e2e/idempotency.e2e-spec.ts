import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bodyOf, errorOf } from '../support/answers';
import { RunBody, finishedRun, storedEvents } from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Idempotency-Key on POST /v1/runs', () => {
  const suite = usePlatform({ apis: 2 });
  let tenant: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    [tenant, other] = await Promise.all([
      createTenant(suite.platform.url, 'idem'),
      createTenant(suite.platform.url, 'idem'),
    ]);
  });

  const submit = (who: TestTenant, key: string, body: object, url = suite.platform.url) =>
    request(url).post('/v1/runs').set(bearer(who.key)).set('Idempotency-Key', key).send(body);

  it('should return the original run with 200 when the same request is repeated', async () => {
    const key = randomUUID();
    const body = { agent: 'echo', input: { n: 1, m: 2 }, metadata: { ref: 'a' } };

    const first = await submit(tenant, key, body).expect(202);
    const again = await submit(tenant, key, {
      metadata: { ref: 'a' },
      input: { m: 2, n: 1 },
      agent: 'echo',
    }).expect(200);

    expect(bodyOf<RunBody>(again).id).toBe(bodyOf<RunBody>(first).id);
  });

  it('should execute exactly one run for 50 concurrent duplicates across two API processes', async () => {
    const key = randomUUID();
    const body = { agent: 'ticker', input: { steps: 3, intervalMs: 10 } };

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => submit(tenant, key, body, suite.platform.urls[i % 2])),
    );

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(49);
    const ids = new Set(answers.map((a) => bodyOf<RunBody>(a).id));
    expect(ids.size).toBe(1);
    const [runId] = [...ids] as [string];
    expect((await finishedRun(suite.platform.url, tenant.key, runId)).attempts).toBe(1);
    expect(
      (await storedEvents(suite.platform.url, tenant.key, runId)).filter(
        (e) => e.type === 'run.started',
      ),
    ).toHaveLength(1);
  });

  it("should treat the same key from another tenant as another tenant's own", async () => {
    const key = randomUUID();
    const body = { agent: 'echo', input: {} };

    const mine = await submit(tenant, key, body).expect(202);
    const theirs = await submit(other, key, body).expect(202);

    const theirRun = bodyOf<RunBody>(theirs);
    expect(theirRun.id).not.toBe(bodyOf<RunBody>(mine).id);
    expect(theirRun.tenantId).toBe(other.id);
  });

  it('should answer 409 for the same key with a different request', async () => {
    const key = randomUUID();
    await submit(tenant, key, { agent: 'echo', input: { v: 1 } }).expect(202);

    const response = await submit(tenant, key, { agent: 'echo', input: { v: 2 } }).expect(409);

    expect(errorOf(response).code).toBe('idempotency_key_reused');
  });

  it('should answer 400 for a key that is not printable ASCII or is too long', async () => {
    const response = await submit(tenant, 'k'.repeat(300), { agent: 'echo' }).expect(400);

    expect(errorOf(response).details?.[0]?.path).toBe('Idempotency-Key');
  });
});
