import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { FakeLlm } from '../support/fake-llm';
import { EventBody, RunBody, finishedRun, getRun, storedEvents, submitRun } from '../support/runs';
import { TestTenant, admin, bearer, createTenant, setLimits, tenantView } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

/** A key the fake provider reads its behaviour from, unique to one test. */
const keyOf = (behaviour: string) => `fake-${behaviour}-${randomUUID()}`;

describe('The chat agent: LLM calls through the tenant’s own providers, with failover', () => {
  const suite = usePlatform({ workers: 1, env: { LLM_CALL_TIMEOUT_MS: '1000' } });
  const clients: EventClient[] = [];
  let fake: FakeLlm;

  beforeAll(async () => {
    fake = await FakeLlm.start();
  });

  afterAll(async () => {
    clients.forEach((client) => client.socket.close());
    await fake?.stop();
  });

  /** A tenant whose providers are the fake with these keys, in this order of priority. */
  const tenantWith = async (...keys: string[]) => {
    const tenant = await createTenant(suite.platform.url, 'llm');
    for (const [i, apiKey] of keys.entries()) {
      await fake.provideFor(suite.platform.url, tenant.id, {
        name: `p${i + 1}`,
        apiKey,
        priority: i + 1,
      });
    }
    return tenant;
  };
  const chat = (tenant: TestTenant, content: string) =>
    submitRun(suite.platform.url, tenant.key, {
      agent: 'chat',
      input: { messages: [{ role: 'user', content }] },
    });
  const eventsOf = (tenant: TestTenant, run: RunBody) =>
    storedEvents(suite.platform.url, tenant.key, run.id);
  const tokensOf = (events: EventBody[]) =>
    events.filter((e) => e.type === 'agent.token').map((e) => (e.data as { text: string }).text);
  const failoversOf = (events: EventBody[]) =>
    events.filter((e) => e.type === 'agent.llm.failover').map((e) => e.data);

  it('should stream the reply on a socket as agent.token events and end with the whole answer', async () => {
    const tenant = await tenantWith(keyOf('ok'));
    const client = await EventClient.connect(suite.platform.url, tenant.key);
    clients.push(client);

    const run = await chat(tenant, 'hello over there');
    await client.subscribe(run.id);
    const events = await client.untilFinished(run.id);

    expect(tokensOf(events).join('')).toBe('You said: hello over there');
    expect(events.at(-1)?.type).toBe('run.succeeded');
    expect((await getRun(suite.platform.url, tenant.key, run.id)).output).toEqual({
      message: { role: 'assistant', content: 'You said: hello over there' },
      usage: { inputTokens: 7, outputTokens: 5 },
      provider: 'p1',
      model: 'fake-model',
    });
  });

  describe('token usage', () => {
    it("should record the tokens on the run, by provider and model, and on the tenant's day", async () => {
      const tenant = await tenantWith(keyOf('500'), keyOf('ok'));

      const run = await chat(tenant, 'count my tokens');
      const done = await finishedRun(suite.platform.url, tenant.key, run.id, 15_000);

      expect(done.usage).toEqual({
        inputTokens: 7,
        outputTokens: 5,
        calls: 1,
        byModel: [
          { provider: 'p2', model: 'fake-model', inputTokens: 7, outputTokens: 5, calls: 1 },
        ],
      });
      const { usage } = await tenantView(suite.platform.url, tenant.id);
      expect(usage.tokensByDay).toEqual([
        { day: expect.any(String) as unknown, inputTokens: 7, outputTokens: 5, calls: 1 },
      ]);
    });

    it('should fail the next call with token_budget_exhausted once maxTokensPerDay is used, with no request', async () => {
      const budgeted = keyOf('ok');
      const tenant = await tenantWith(budgeted);
      await setLimits(suite.platform.url, tenant.id, { maxTokensPerDay: 10 });
      const first = await chat(tenant, 'one two three four five');
      expect((await finishedRun(suite.platform.url, tenant.key, first.id)).status).toBe(
        'succeeded',
      );

      const second = await chat(tenant, 'and again');
      const refused = await finishedRun(suite.platform.url, tenant.key, second.id);

      expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
      expect(refused.error?.code).toBe('token_budget_exhausted');
      expect(refused.error?.message).toMatch(/used 14 of its 10 LLM tokens .*maxTokensPerDay/);
      expect((await fake.calls())[budgeted]?.requests).toBe(1);
      expect(refused.usage).toBeUndefined();
    });

    it('should end a run of an agent with retries at once when its tenant has used its budget', async () => {
      await suite.platform.startAgentWorker(
        'chat-retrying-worker',
        'test/e2e/fixtures/chat-retrying.agents.js',
      );
      const tenant = await tenantWith(keyOf('ok'));
      await setLimits(suite.platform.url, tenant.id, { maxTokensPerDay: 1 });
      await finishedRun(suite.platform.url, tenant.key, (await chat(tenant, 'spend it')).id);

      const run = await submitRun(suite.platform.url, tenant.key, {
        agent: 'chat-retrying',
        input: { messages: [{ role: 'user', content: 'again' }] },
      });
      const refused = await finishedRun(suite.platform.url, tenant.key, run.id);

      expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
      expect(refused.error?.code).toBe('token_budget_exhausted');
      expect((await eventsOf(tenant, run)).map((event) => event.type)).not.toContain(
        'run.retrying',
      );
    });
  });

  it('should batch a long reply into a few events, not one per token', async () => {
    const tenant = await tenantWith(keyOf('ok'));
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');

    const run = await chat(tenant, words);
    const done = await finishedRun(suite.platform.url, tenant.key, run.id);

    expect(done.status).toBe('succeeded');
    const tokens = tokensOf(await eventsOf(tenant, run));
    expect(tokens.join('')).toBe(`You said: ${words}`);
    expect(tokens.length).toBeLessThanOrEqual(10);
  });

  it.each([
    ['answers 429', '429-30', 'rate_limited'],
    ['answers 500', '500', 'server_error'],
    ['hangs past LLM_CALL_TIMEOUT_MS', 'hang', 'timeout'],
    ['refuses the key (401)', '401', 'unauthorized'],
  ])(
    'should fail over to the next provider when the first %s',
    async (_case, behaviour, reason) => {
      const tenant = await tenantWith(keyOf(behaviour), keyOf('ok'));

      const run = await chat(tenant, 'are you there');
      const done = await finishedRun(suite.platform.url, tenant.key, run.id, 15_000);

      expect(done.status).toBe('succeeded');
      expect((done.output as { provider: string }).provider).toBe('p2');
      expect(failoversOf(await eventsOf(tenant, run))).toEqual([{ from: 'p1', to: 'p2', reason }]);
    },
  );

  it('should abort the request of a provider that hangs, once it has timed out', async () => {
    const hanging = keyOf('hang');
    const tenant = await tenantWith(hanging, keyOf('ok'));

    await finishedRun(suite.platform.url, tenant.key, (await chat(tenant, 'hi')).id, 15_000);

    await eventually(async () => expect((await fake.calls())[hanging]?.aborted).toBe(1));
  });

  it('should fail the run with no_provider_available when no provider can answer', async () => {
    const tenant = await tenantWith(keyOf('500'), keyOf('429-30'));

    const run = await chat(tenant, 'anyone');
    const done = await finishedRun(suite.platform.url, tenant.key, run.id, 15_000);

    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('no_provider_available');
    expect(done.error?.message).toMatch(/No LLM provider of tenant .* could answer; tried p1, p2/);
  });

  describe('provider health, shared by every worker in Redis', () => {
    const requestsOf = async (key: string) => (await fake.calls())[key]?.requests ?? 0;
    /** Each provider's health as GET …/providers shows it, in priority order. */
    const healthOf = async (tenant: TestTenant) => {
      const response = await request(suite.platform.url)
        .get(`/v1/admin/tenants/${tenant.id}/providers`)
        .set(admin)
        .expect(200);
      return (response.body as { health: unknown }[]).map((provider) => provider.health);
    };
    const chatDone = async (tenant: TestTenant, content: string) => {
      const run = await chat(tenant, content);
      return { run, done: await finishedRun(suite.platform.url, tenant.key, run.id, 15_000) };
    };

    it('should keep every worker, and one started later, off a rate-limited provider until it is due', async () => {
      const limited = keyOf('429-60');
      const tenant = await tenantWith(limited, keyOf('ok'));
      const first = await chatDone(tenant, 'one');
      const ranIt = suite.platform.workers.find((worker) =>
        worker.lines.some((line) => line.runId === first.run.id),
      );

      await ranIt?.stop();
      await suite.platform.startWorker();
      const later = [await chatDone(tenant, 'two'), await chatDone(tenant, 'three')];

      expect(await requestsOf(limited)).toBe(1);
      expect(later.map(({ done }) => (done.output as { provider: string }).provider)).toEqual([
        'p2',
        'p2',
      ]);
      for (const { run } of later) {
        expect(failoversOf(await eventsOf(tenant, run))).toEqual([]);
      }
    });

    it('should open the breaker after 3 failures in a row, for every worker, and one started later', async () => {
      const failing = keyOf('500');
      const tenant = await tenantWith(failing, keyOf('ok'));
      const failed: RunBody[] = [];
      for (const content of ['a', 'b', 'c']) {
        failed.push((await chatDone(tenant, content)).run);
      }
      const ranThem = suite.platform.workers.filter((worker) =>
        worker.lines.some((line) => failed.some((run) => line.runId === run.id)),
      );

      await Promise.all(ranThem.map((worker) => worker.stop()));
      await suite.platform.startWorker();
      const { run, done } = await chatDone(tenant, 'd');

      expect(done.status).toBe('succeeded');
      expect(await requestsOf(failing)).toBe(3);
      expect(failoversOf(await eventsOf(tenant, run))).toEqual([]);
      expect(await healthOf(tenant)).toEqual([
        { state: 'open', until: expect.any(String) as unknown },
        { state: 'healthy' },
      ]);
    });

    it('should disable a provider whose key was refused until its credentials change', async () => {
      const refused = keyOf('401');
      const tenant = await tenantWith(refused, keyOf('ok'));
      await chatDone(tenant, 'a');
      await chatDone(tenant, 'b');
      expect(await requestsOf(refused)).toBe(1);
      expect((await healthOf(tenant))[0]).toEqual({ state: 'disabled' });

      await request(suite.platform.url)
        .put(`/v1/admin/tenants/${tenant.id}/providers/p1`)
        .set(admin)
        .send({
          type: 'openai-compatible',
          baseUrl: fake.baseUrl,
          apiKey: keyOf('ok'),
          models: ['fake-model'],
          priority: 1,
        })
        .expect(200);
      const { done } = await chatDone(tenant, 'c');

      expect((done.output as { provider: string }).provider).toBe('p1');
    });
  });

  it("should leave another tenant's calls untouched by one tenant's broken provider", async () => {
    const broken = await tenantWith(keyOf('500'));
    const healthy = await tenantWith(keyOf('ok'));

    const [brokenRun, healthyRun] = await Promise.all([chat(broken, 'x'), chat(healthy, 'y')]);
    const [brokenDone, healthyDone] = await Promise.all([
      finishedRun(suite.platform.url, broken.key, brokenRun.id),
      finishedRun(suite.platform.url, healthy.key, healthyRun.id),
    ]);

    expect([brokenDone.status, healthyDone.status]).toEqual(['failed', 'succeeded']);
    expect(failoversOf(await eventsOf(healthy, healthyRun))).toEqual([]);
  });

  it("should stop the provider's request when the run is cancelled mid-stream", async () => {
    const slow = keyOf('slow-200');
    const tenant = await tenantWith(slow);
    const run = await chat(tenant, 'take your time answering this one');
    await eventually(async () =>
      expect(tokensOf(await eventsOf(tenant, run)).length).toBeGreaterThan(0),
    );

    await request(suite.platform.url)
      .post(`/v1/runs/${run.id}/cancel`)
      .set(bearer(tenant.key))
      .expect(202);

    expect((await finishedRun(suite.platform.url, tenant.key, run.id)).status).toBe('cancelled');
    await eventually(async () => expect((await fake.calls())[slow]?.aborted).toBe(1));
    // The reply never finished, so the provider gave no figures: what it used is estimated.
    await eventually(async () =>
      expect((await getRun(suite.platform.url, tenant.key, run.id)).usage).toMatchObject({
        calls: 1,
        byModel: [{ provider: 'p1', model: 'fake-model', calls: 1 }],
      }),
    );
  });

  it('should keep provider keys out of run records, events and worker logs', async () => {
    const secret = keyOf('ok');
    const tenant = await tenantWith(secret);
    const run = await chat(tenant, 'keep it secret');
    const done = await finishedRun(suite.platform.url, tenant.key, run.id);

    const seen = [
      JSON.stringify(done),
      JSON.stringify(await eventsOf(tenant, run)),
      ...suite.platform.logLines.map((line) => JSON.stringify(line)),
      ...suite.platform.workers.flatMap((worker) => worker.stderr),
    ];

    expect(seen.filter((text) => text.includes(secret))).toEqual([]);
  });
});
