import request from 'supertest';
import { PageAnswer, bodyOf, errorOf } from '../support/answers';
import { postDeclaringLength } from '../support/early-answer';
import { RunBody, finishedRun, getRun, storedEvents, submitRun } from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Runs over HTTP', () => {
  const suite = usePlatform();
  let url: string;
  let tenant: TestTenant;
  let other: TestTenant;

  beforeAll(async () => {
    url = suite.platform.url;
    [tenant, other] = await Promise.all([createTenant(url, 'owner'), createTenant(url, 'other')]);
  });

  describe('POST /v1/runs', () => {
    it('should accept a run as queued and run it to success', async () => {
      const run = await submitRun(url, tenant.key, {
        agent: 'echo',
        input: { hello: 'world' },
        metadata: { ticket: 'T-1' },
      });

      expect(run).toMatchObject({
        tenantId: tenant.id,
        agent: 'echo',
        status: 'queued',
        attempts: 0,
        metadata: { ticket: 'T-1' },
      });
      expect(run.id).toMatch(/^run_[0-9a-z]{9}[A-Za-z0-9_-]{22}$/);
      const finished = await finishedRun(url, tenant.key, run.id);
      expect(finished).toMatchObject({
        status: 'succeeded',
        output: { hello: 'world' },
        attempts: 1,
      });
      expect(finished.startedAt).toEqual(expect.any(String));
      expect(finished.finishedAt).toEqual(expect.any(String));
    });

    it('should answer 400 naming the agent for an unknown agent', async () => {
      const response = await request(url)
        .post('/v1/runs')
        .set(bearer(tenant.key))
        .send({ agent: 'nope' })
        .expect(400);

      const error = errorOf(response);
      expect(error).toMatchObject({ statusCode: 400, code: 'unknown_agent' });
      expect(error.message).toContain('agent');
      expect(error.details).toEqual([{ path: 'agent', message: expect.any(String) as unknown }]);
    });

    it('should answer 400 naming the input field that fails the agent schema', async () => {
      const response = await request(url)
        .post('/v1/runs')
        .set(bearer(tenant.key))
        .send({ agent: 'ticker', input: { steps: 0 } })
        .expect(400);

      expect(errorOf(response).details).toEqual([expect.objectContaining({ path: 'input.steps' })]);
    });

    it.each([
      ['a missing agent', {}, 'agent'],
      ['an unknown top-level field', { agent: 'echo', extra: 1 }, ''],
      ['metadata that is not an object', { agent: 'echo', metadata: 'x' }, 'metadata'],
    ])('should answer 400 for %s', async (_case, body, path) => {
      const response = await request(url)
        .post('/v1/runs')
        .set(bearer(tenant.key))
        .send(body)
        .expect(400);

      const error = errorOf(response);
      expect(error.code).toBe('invalid_request');
      expect(error.details?.map((d) => d.path)).toContain(path);
    });

    it('should answer 400 with a JSON message for a body that is not JSON', async () => {
      const response = await request(url)
        .post('/v1/runs')
        .set(bearer(tenant.key))
        .set('Content-Type', 'application/json')
        .send('{"agent":')
        .expect(400);

      expect(response.body).toMatchObject({ statusCode: 400, code: 'invalid_request' });
    });

    it('should answer 413 for a body over 1 MiB, by its declared length', async () => {
      const answer = await postDeclaringLength(
        `${url}/v1/runs`,
        bearer(tenant.key),
        1024 * 1024 + 10,
      );

      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
    });

    it('should answer 401 without a key, with a malformed key and with an unknown key', async () => {
      await request(url).post('/v1/runs').send({ agent: 'echo' }).expect(401);
      await request(url)
        .post('/v1/runs')
        .set('Authorization', 'Basic abc')
        .send({ agent: 'echo' })
        .expect(401);
      const forged = tenant.key.slice(0, -4) + 'AAAA';
      const response = await request(url)
        .post('/v1/runs')
        .set(bearer(forged))
        .send({ agent: 'echo' })
        .expect(401);
      expect(errorOf(response).code).toBe('unauthorized');
    });
  });

  describe('GET /v1/runs/:id', () => {
    it('should answer 404 for an id that does not exist', async () => {
      const response = await request(url)
        .get('/v1/runs/run_000000000AAAAAAAAAAAAAAAAAAAAAA')
        .set(bearer(tenant.key))
        .expect(404);

      expect(errorOf(response).code).toBe('run_not_found');
    });

    it('should answer 404 for a run of another tenant, exactly as for a missing run', async () => {
      const run = await submitRun(url, other.key, { agent: 'echo', input: {} });

      const theirs = await request(url)
        .get(`/v1/runs/${run.id}`)
        .set(bearer(tenant.key))
        .expect(404);
      const missing = await request(url)
        .get(`/v1/runs/${run.id.slice(0, -1)}A`)
        .set(bearer(tenant.key))
        .expect(404);

      expect(errorOf(theirs).code).toBe(errorOf(missing).code);
      expect(JSON.stringify(theirs.body)).not.toContain(other.id);
    });
  });

  describe('GET /v1/runs', () => {
    it("should list only this tenant's runs, newest first, page by page", async () => {
      const lister = await createTenant(url, 'lister');
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        ids.push((await submitRun(url, lister.key, { agent: 'echo', input: { i } })).id);
      }
      await submitRun(url, other.key, { agent: 'echo', input: {} });

      const first = bodyOf<PageAnswer<RunBody>>(
        await request(url).get('/v1/runs?limit=3').set(bearer(lister.key)).expect(200),
      );
      const second = bodyOf<PageAnswer<RunBody>>(
        await request(url)
          .get(`/v1/runs?limit=3&cursor=${first.nextCursor}`)
          .set(bearer(lister.key))
          .expect(200),
      );

      const listed = [...first.items, ...second.items].map((run) => run.id);
      expect(listed).toEqual([...ids].reverse());
      expect(second.nextCursor).toBeNull();
    });

    it('should filter by status', async () => {
      const filterer = await createTenant(url, 'filter');
      const done = await submitRun(url, filterer.key, { agent: 'echo', input: {} });
      await finishedRun(url, filterer.key, done.id);
      const slow = await submitRun(url, filterer.key, {
        agent: 'ticker',
        input: { steps: 1, intervalMs: 60_000 },
      });

      const succeeded = await request(url)
        .get('/v1/runs?status=succeeded')
        .set(bearer(filterer.key))
        .expect(200);

      expect(bodyOf<PageAnswer<RunBody>>(succeeded).items.map((run) => run.id)).toEqual([done.id]);
      await request(url).post(`/v1/runs/${slow.id}/cancel`).set(bearer(filterer.key)).expect(202);
    });

    it('should answer 400 for a bad status or limit', async () => {
      await request(url).get('/v1/runs?status=done').set(bearer(tenant.key)).expect(400);
      const response = await request(url)
        .get('/v1/runs?limit=1000')
        .set(bearer(tenant.key))
        .expect(400);
      expect(errorOf(response).details?.[0]?.path).toBe('limit');
    });
  });

  describe('POST /v1/runs/:id/cancel', () => {
    it('should stop a running agent promptly and end the run cancelled with one terminal event', async () => {
      const run = await submitRun(url, tenant.key, {
        agent: 'ticker',
        input: { steps: 1000, intervalMs: 20 },
      });
      await waitForStatus(url, tenant.key, run.id, 'running');

      const cancelled = await request(url)
        .post(`/v1/runs/${run.id}/cancel`)
        .set(bearer(tenant.key))
        .expect(202);

      expect(bodyOf<RunBody>(cancelled).cancelRequestedAt).toEqual(expect.any(String));
      const finished = await finishedRun(url, tenant.key, run.id);
      expect(finished.status).toBe('cancelled');
      const events = await storedEvents(url, tenant.key, run.id);
      expect(
        events.filter(
          (e) =>
            e.type.startsWith('run.') &&
            ['run.succeeded', 'run.failed', 'run.cancelled'].includes(e.type),
        ),
      ).toHaveLength(1);
      const progressAfterCancel = events.filter(
        (e) => e.type === 'agent.progress' && e.ts > String(finished.finishedAt),
      );
      expect(progressAfterCancel).toEqual([]);
    });

    it('should answer 409 for a run that already finished', async () => {
      const run = await submitRun(url, tenant.key, { agent: 'echo', input: {} });
      await finishedRun(url, tenant.key, run.id);

      const response = await request(url)
        .post(`/v1/runs/${run.id}/cancel`)
        .set(bearer(tenant.key))
        .expect(409);

      expect(errorOf(response).code).toBe('run_finished');
    });

    it('should answer 404 for a run of another tenant and leave it running', async () => {
      const run = await submitRun(url, other.key, {
        agent: 'ticker',
        input: { steps: 3, intervalMs: 50 },
      });

      await request(url).post(`/v1/runs/${run.id}/cancel`).set(bearer(tenant.key)).expect(404);

      expect((await finishedRun(url, other.key, run.id)).status).toBe('succeeded');
    });
  });

  describe('GET /v1/runs/:id/events', () => {
    it('should return the stored events in id order, after a given id', async () => {
      const run = await submitRun(url, tenant.key, {
        agent: 'ticker',
        input: { steps: 3, intervalMs: 0 },
      });
      await finishedRun(url, tenant.key, run.id);

      const all = await storedEvents(url, tenant.key, run.id);
      const rest = await storedEvents(url, tenant.key, run.id, 2);

      expect(all.map((e) => e.type)).toEqual([
        'run.queued',
        'run.started',
        'agent.progress',
        'agent.progress',
        'agent.progress',
        'run.succeeded',
      ]);
      expect(all.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(rest.map((e) => e.id)).toEqual([3, 4, 5, 6]);
      expect(all[2]?.data).toEqual({ step: 1, of: 3 });
    });

    it('should answer 404 for the events of another tenant', async () => {
      const run = await submitRun(url, other.key, { agent: 'echo', input: {} });

      await request(url).get(`/v1/runs/${run.id}/events`).set(bearer(tenant.key)).expect(404);
    });
  });

  describe('agents and health', () => {
    it('should list the built-in agents with their input JSON Schemas', async () => {
      const response = await request(url).get('/v1/agents').set(bearer(tenant.key)).expect(200);

      const agents = bodyOf<AgentAnswer[]>(response);
      const names = agents.map((agent) => agent.name);
      expect(names).toEqual(expect.arrayContaining(['echo', 'ticker', 'flaky']));
      const ticker = agents.find((agent) => agent.name === 'ticker');
      expect(ticker?.inputSchema.properties.steps).toMatchObject({
        type: 'integer',
        minimum: 1,
        maximum: 10000,
      });
    });

    it('should answer /healthz and /readyz with 200 while Redis is up', async () => {
      await request(url).get('/healthz').expect(200, { status: 'ok' });
      await request(url).get('/readyz').expect(200, { status: 'ready' });
    });

    it('should serve the OpenAPI document at /openapi.json', async () => {
      const response = await request(url).get('/openapi.json').expect(200);

      const document = bodyOf<{ openapi: string; paths: Record<string, unknown> }>(response);
      expect(document.openapi).toBe('3.1.0');
      expect(Object.keys(document.paths)).toContain('/v1/runs');
    });

    it('should answer an unknown route with a JSON 404', async () => {
      const response = await request(url).get('/v2/nothing').expect(404);

      expect(response.body).toMatchObject({ statusCode: 404, code: 'not_found' });
    });
  });

  it('should end a run failed with the last error message, and no stack trace, once retries run out', async () => {
    const run = await submitRun(url, tenant.key, {
      agent: 'failing',
      input: { message: 'out of luck' },
    });

    const finished = await finishedRun(url, tenant.key, run.id);

    expect(finished).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { message: 'out of luck' },
    });
    const events = await storedEvents(url, tenant.key, run.id);
    expect(events.filter((e) => e.type === 'run.retrying').map((e) => e.data)).toEqual([
      { attempt: 1, error: 'out of luck', delayMs: 20 },
      { attempt: 2, error: 'out of luck', delayMs: 20 },
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'run.failed',
      data: { error: { message: 'out of luck' } },
    });
    expect(JSON.stringify([finished, events])).not.toMatch(/\n\s+at /);
  });

  it('should run the flaky agent through its retries, one run.retrying per failure', async () => {
    const run = await submitRun(url, tenant.key, {
      agent: 'flaky',
      input: { failTimes: 2, message: 'boom' },
    });

    const finished = await finishedRun(url, tenant.key, run.id);

    expect(finished).toMatchObject({ status: 'succeeded', attempts: 3 });
    const retrying = (await storedEvents(url, tenant.key, run.id)).filter(
      (e) => e.type === 'run.retrying',
    );
    expect(retrying.map((e) => e.data)).toEqual([
      { attempt: 1, error: 'boom (attempt 1 of 3)', delayMs: 50 },
      { attempt: 2, error: 'boom (attempt 2 of 3)', delayMs: 50 },
    ]);
  });
});

/** An agent of GET /v1/agents, with the part of its input JSON Schema these tests read. */
interface AgentAnswer {
  readonly name: string;
  readonly inputSchema: { readonly properties: Record<string, unknown> };
}

async function waitForStatus(
  url: string,
  key: string,
  runId: string,
  status: string,
): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await getRun(url, key, runId)).status !== status) {
    if (Date.now() > deadline) {
      throw new Error(`run ${runId} never reached ${status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
