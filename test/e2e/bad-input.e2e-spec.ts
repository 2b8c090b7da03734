import fc from 'fast-check';
import request from 'supertest';
import { errorOf } from '../support/answers';
import { postDeclaringLength } from '../support/early-answer';
import { EventClient } from '../support/event-client';
import { TestTenant, admin, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

type Case = readonly [string, () => request.Test, number, string?];

describe('Bad input', () => {
  const suite = usePlatform({ workers: 0 });
  let url: string;
  let tenant: TestTenant;

  beforeAll(async () => {
    url = suite.platform.url;
    tenant = await createTenant(url, 'fuzz');
  });

  const post = (path: string) => request(url).post(path).set(bearer(tenant.key));
  const json = (path: string, raw: string) =>
    post(path).set('Content-Type', 'application/json').send(raw);
  const deep = (depth: number): unknown => (depth === 0 ? {} : { a: deep(depth - 1) });

  const cases: Case[] = [
    ['invalid JSON', () => json('/v1/runs', '{"agent": "echo",'), 400, ''],
    ['a JSON array body', () => json('/v1/runs', '[1,2,3]'), 400, ''],
    ['a JSON string body', () => json('/v1/runs', '"echo"'), 400, ''],
    ['an empty JSON body', () => json('/v1/runs', ''), 400, ''],
    ['agent of the wrong type', () => post('/v1/runs').send({ agent: 42 }), 400, 'agent'],
    ['a missing agent', () => post('/v1/runs').send({ input: {} }), 400, 'agent'],
    ['an unknown agent', () => post('/v1/runs').send({ agent: 'rm -rf' }), 400, 'agent'],
    [
      'input of the wrong type',
      () => post('/v1/runs').send({ agent: 'ticker', input: 'fast' }),
      400,
      'input',
    ],
    [
      'steps out of range',
      () => post('/v1/runs').send({ agent: 'ticker', input: { steps: 1e9 } }),
      400,
      'input.steps',
    ],
    [
      'a __proto__ key',
      () => json('/v1/runs', '{"agent":"echo","input":{"__proto__":{"admin":true}}}'),
      400,
    ],
    [
      'a constructor.prototype key',
      () => json('/v1/runs', '{"agent":"echo","constructor":{"prototype":{"x":1}}}'),
      400,
    ],
    [
      'deeply nested input',
      () => post('/v1/runs').send({ agent: 'echo', input: deep(2_000) }),
      400,
      'input',
    ],
    [
      'odd unicode in metadata',
      () => post('/v1/runs').send({ agent: 'echo', metadata: { '\u0000\u202e': '\ud800' } }),
      202,
    ],
    [
      'a text/plain body',
      () => post('/v1/runs').set('Content-Type', 'text/plain').send('agent=echo'),
      400,
    ],
    [
      'an XML body',
      () => post('/v1/runs').set('Content-Type', 'application/xml').send('<run/>'),
      415,
    ],
    [
      'an over-long run id',
      () =>
        request(url)
          .get(`/v1/runs/${'r'.repeat(5_000)}`)
          .set(bearer(tenant.key)),
      414,
    ],
    [
      'a run id with path tricks',
      () => request(url).get('/v1/runs/..%2f..%2fadmin').set(bearer(tenant.key)),
      404,
    ],
    [
      'a negative events cursor',
      () => request(url).get('/v1/runs/run_x/events?after=-1').set(bearer(tenant.key)),
      400,
      'after',
    ],
    [
      'a cursor that is not a number',
      () => request(url).get('/v1/runs?cursor=abc').set(bearer(tenant.key)),
      400,
      'cursor',
    ],
    [
      'an unknown query field',
      () => request(url).get('/v1/runs?tenantId=other').set(bearer(tenant.key)),
      400,
    ],
    [
      'a wrong method',
      () => request(url).put('/v1/runs').set(bearer(tenant.key)).send({}),
      404,
      '',
    ],
    [
      'a DELETE on a run',
      () => request(url).delete('/v1/runs/run_x').set(bearer(tenant.key)),
      404,
      '',
    ],
    [
      'a bad tenant id',
      () => request(url).post('/v1/admin/tenants').set(admin).send({ id: '../x' }),
      400,
      'id',
    ],
    [
      'a tenant id with unicode',
      () => request(url).post('/v1/admin/tenants').set(admin).send({ id: 'tenänt' }),
      400,
      'id',
    ],
  ];

  const table = cases.map(([name, send, status, path]) => ({ name, send, status, path }));

  it.each(table)(
    'should answer $name with a JSON $status naming what to fix',
    async ({ send, status, path }) => {
      const response = await send();

      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      if (status >= 400) {
        expect(response.body).toMatchObject({
          statusCode: status,
          code: expect.any(String) as unknown,
          message: expect.any(String) as unknown,
        });
      }
      if (path) {
        expect(JSON.stringify(errorOf(response).details)).toContain(`"path":"${path}`);
      }
    },
  );

  it('should answer a body declared over 1 MiB with a JSON 413 before any of it is sent', async () => {
    const answer = await postDeclaringLength(`${url}/v1/runs`, bearer(tenant.key), 1_100_000);

    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({
      statusCode: 413,
      code: 'payload_too_large',
      message: expect.any(String) as unknown,
    });
  });

  const routes = [
    ['post', '/v1/runs'],
    ['get', '/v1/runs'],
    ['get', '/v1/runs/run_x'],
    ['post', '/v1/runs/run_x/cancel'],
    ['get', '/v1/runs/run_x/events'],
    ['get', '/v1/agents'],
    ['post', '/v1/admin/tenants'],
    ['get', '/v1/admin/tenants/acme'],
    ['post', '/v1/admin/tenants/acme/keys'],
    ['delete', '/v1/admin/tenants/acme/keys/key_x'],
  ] as const;
  const badAuth = [
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'Bearer a b',
    `Bearer ${'k'.repeat(8_000)}`,
    'Bearer bk_fuzz_\u00ff',
  ];

  it.each(routes)(
    'should answer %s %s with 401 for every bad or missing credential',
    async (method, path) => {
      for (const authorization of badAuth) {
        const call = request(url)[method](path);
        const response = await (authorization === undefined
          ? call
          : call.set('Authorization', authorization));
        expect([response.status, errorOf(response).code]).toEqual([401, 'unauthorized']);
      }
    },
  );

  it('should answer 5,000 random bodies with 2xx or 4xx, never 5xx, and keep serving', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          agent: fc.oneof(fc.constantFrom('echo', 'ticker', 'flaky', 'probe'), fc.string()),
          input: fc.jsonValue(),
        },
        { requiredKeys: ['agent'] },
      ),
      fc.record({
        agent: fc.constant('ticker'),
        input: fc.record({ steps: fc.integer(), intervalMs: fc.integer() }),
      }),
      fc.record({
        agent: fc.constant('echo'),
        input: fc.dictionary(fc.string(), fc.jsonValue()),
        metadata: fc.jsonValue(),
      }),
    );
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const response = await json('/v1/runs', JSON.stringify(value) ?? 'null');
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        return response.status < 500;
      }),
      { numRuns: 5_000 },
    );

    await request(url).get('/healthz').expect(200);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
  }, 120_000);

  it('should answer 5,000 random socket payloads with an error ack, never crash, and keep serving', async () => {
    const client = await EventClient.connect(url, tenant.key);
    const event = fc.constantFrom('subscribe', 'unsubscribe');

    await fc.assert(
      fc.asyncProperty(event, fc.jsonValue(), async (name, payload) => {
        const ack = await client.send(name, payload);
        return ack.ok === false && typeof ack.error?.code === 'string';
      }),
      { numRuns: 5_000 },
    );

    expect(client.socket.connected).toBe(true);
    client.close();
    await request(url).get('/healthz').expect(200);
  }, 120_000);
});
