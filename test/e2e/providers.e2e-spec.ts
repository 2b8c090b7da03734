import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { bodyOf, errorOf } from '../support/answers';
import { runNodeTool } from '../support/node-tools';
import { SECRETS_KEY } from '../support/platform';
import { TEST_REDIS_URL } from '../support/redis-test-prefix';
import { TestTenant, admin, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

interface ProviderView {
  readonly name: string;
  readonly keyHint: string;
  readonly priority: number;
  readonly [field: string]: unknown;
}

const PLAINTEXT_KEY = `sk-test-${randomBytes(12).toString('hex')}-PLAINTEXT`;

describe("A tenant's LLM providers: credentials through the admin API, sealed at rest", () => {
  const suite = usePlatform({ workers: 0 });
  const answers: string[] = [];
  let tenant: TestTenant;
  let redis: Redis;

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'providers');
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(() => redis.disconnect());

  const providerPath = (name: string, tenantId = tenant.id) =>
    `/v1/admin/tenants/${tenantId}/providers/${name}`;
  /** PUTs the provider, keeps the answer for the secret scan, and checks its status. */
  const put = async (name: string, body: object, status: number, tenantId = tenant.id) => {
    const response = await request(suite.platform.url)
      .put(providerPath(name, tenantId))
      .set(admin)
      .send(body);
    answers.push(response.text);
    expect(response.status).toBe(status);
    return response;
  };
  const list = async () => {
    const response = await request(suite.platform.url)
      .get(`/v1/admin/tenants/${tenant.id}/providers`)
      .set(admin)
      .expect(200);
    answers.push(response.text);
    return bodyOf<ProviderView[]>(response);
  };
  const openai = {
    type: 'openai-compatible',
    baseUrl: 'https://llm.example.test/v1',
    apiKey: PLAINTEXT_KEY,
    models: ['small'],
    priority: 10,
  };

  it('should store a provider and answer its view: everything but the key, of which a hint', async () => {
    const response = await put('primary', openai, 200);

    expect(bodyOf<ProviderView>(response)).toEqual({
      name: 'primary',
      type: 'openai-compatible',
      baseUrl: 'https://llm.example.test/v1',
      models: ['small'],
      priority: 10,
      enabled: true,
      keyHint: PLAINTEXT_KEY.slice(-4),
      updatedAt: expect.any(String) as unknown,
      health: { state: 'healthy' },
    });
  });

  it('should list the providers in the order calls try them, and replace one on a second PUT', async () => {
    await put('backup', { ...openai, type: 'anthropic', apiKey: 'short', priority: 5 }, 200);
    await put('primary', { ...openai, priority: 1 }, 200);

    const listed = await list();

    expect(listed.map((p) => [p.name, p.priority, p.keyHint])).toEqual([
      ['primary', 1, PLAINTEXT_KEY.slice(-4)],
      ['backup', 5, ''],
    ]);
  });

  it.each([
    ['no key', { ...openai, apiKey: undefined }, 'apiKey'],
    ['an unknown type', { ...openai, type: 'mystery' }, 'type'],
    ['a URL that is not http', { ...openai, baseUrl: 'ftp://llm.example.test' }, 'baseUrl'],
    ['a negative priority', { ...openai, priority: -1 }, 'priority'],
    ['an unknown field', { ...openai, region: 'eu' }, 'region'],
  ])('should answer 400 naming the field for a body with %s', async (_case, body, field) => {
    const response = await put('primary', body, 400);

    expect(JSON.stringify(errorOf(response).details)).toContain(field);
  });

  it('should answer 400 for a provider name outside the pattern, and 404 for an unknown tenant', async () => {
    await put('Not_A_Name', openai, 400);
    await put('primary', openai, 404, 'no-such-tenant');
  });

  it('should need the admin token', async () => {
    await request(suite.platform.url).get(`/v1/admin/tenants/${tenant.id}/providers`).expect(401);
  });

  it('should remove a provider, and answer 404 for one that is not there', async () => {
    await put('doomed', openai, 200);

    await request(suite.platform.url).delete(providerPath('doomed')).set(admin).expect(204);
    const again = await request(suite.platform.url).delete(providerPath('doomed')).set(admin);

    expect(again.status).toBe(404);
    expect(errorOf(again).code).toBe('provider_not_found');
  });

  it('should refuse a 17th provider, and still replace an existing one', async () => {
    const crowded = await createTenant(suite.platform.url, 'crowded');
    for (let i = 0; i < 16; i += 1) {
      await put(`p${i}`, openai, 200, crowded.id);
    }

    const refused = await put('p16', openai, 409, crowded.id);

    expect(errorOf(refused).code).toBe('too_many_providers');
    await put('p3', { ...openai, priority: 3 }, 200, crowded.id);
  });

  it('should keep the plaintext key out of Redis, the logs and every answer', async () => {
    await put('scanned', openai, 200);
    await list();

    const stored = await everyValueUnder(redis, suite.prefix);
    const logs = suite.platform.apis.flatMap((api) => [
      ...api.lines.map((line) => JSON.stringify(line)),
      ...api.stderr,
    ]);

    expect(stored.some((value) => value.includes('"name":"scanned"'))).toBe(true);
    expect(stored.filter((value) => value.includes(PLAINTEXT_KEY))).toEqual([]);
    expect(logs.filter((line) => line.includes(PLAINTEXT_KEY))).toEqual([]);
    expect(answers.filter((text) => text.includes(PLAINTEXT_KEY))).toEqual([]);
  });

  describe('rotating the master key (npm run secrets:reencrypt)', () => {
    const reencrypt = (keys: { current: string; previous?: string[] }) =>
      runNodeTool('dist/scripts/reencrypt-secrets.js', [], {
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: suite.prefix,
        BULKHEAD_SECRETS_KEY: keys.current,
        BULKHEAD_SECRETS_PREVIOUS_KEYS: (keys.previous ?? []).join(','),
        LOG_LEVEL: 'silent',
      });
    const summaryOf = (stdout: string) =>
      JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    const sealedKeyIds = async () =>
      Object.values(await redis.hgetall(`${suite.prefix}:{${tenant.id}}:providers`)).map(
        (json) => (JSON.parse(json) as { sealedKey: string }).sealedKey.split('.')[1],
      );
    const newKey = randomBytes(32).toString('base64');

    beforeAll(async () => {
      await put('primary', openai, 200);
      await put('backup', { ...openai, priority: 5 }, 200);
    });

    it('should re-seal every key with the new master key, opening each with the old one', async () => {
      const before = await sealedKeyIds();

      const run = await reencrypt({ current: newKey, previous: [SECRETS_KEY] });

      expect(run.code).toBe(0);
      expect(summaryOf(run.stdout)).toMatchObject({ unreadable: 0, changed: 0 });
      expect(Number(summaryOf(run.stdout).resealed)).toBeGreaterThanOrEqual(2);
      const after = await sealedKeyIds();
      expect(new Set(after).size).toBe(1);
      expect(after[0]).not.toBe(before[0]);
    });

    it('should find nothing left to re-seal once it ran, so the old key can go', async () => {
      const run = await reencrypt({ current: newKey });

      expect(run.code).toBe(0);
      expect(summaryOf(run.stdout)).toMatchObject({ resealed: 0, unreadable: 0 });
    });

    it('should name, without their keys, the providers no configured key opens, and exit 1', async () => {
      const run = await reencrypt({ current: randomBytes(32).toString('base64') });

      expect(run.code).toBe(1);
      expect(run.stdout).toContain('"provider":"primary"');
      expect(run.stdout).not.toContain(PLAINTEXT_KEY);
    });
  });
});

/** Every string, hash, list, set, sorted set and stream value under the prefix, as text. */
async function everyValueUnder(redis: Redis, prefix: string): Promise<string[]> {
  const values: string[] = [];
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 })) {
    for (const key of keys as string[]) {
      values.push(key, ...(await valuesOf(redis, key)));
    }
  }
  return values;
}

async function valuesOf(redis: Redis, key: string): Promise<string[]> {
  switch (await redis.type(key)) {
    case 'string':
      return [(await redis.get(key)) ?? ''];
    case 'hash':
      return Object.entries(await redis.hgetall(key)).flat();
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, '0', '-1');
    case 'stream':
      return (await redis.xrange(key, '-', '+')).map((entry) => JSON.stringify(entry));
    default:
      return [];
  }
}
