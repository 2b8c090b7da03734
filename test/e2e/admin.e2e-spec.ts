import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bodyOf, errorOf } from '../support/answers';
import { IssuedKey, NO_TOKENS_YET, admin, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Admin API', () => {
  const suite = usePlatform({ workers: 0 });
  let url: string;

  beforeAll(() => {
    url = suite.platform.url;
  });

  const freshId = () => `acme-${randomUUID().slice(0, 8)}`;

  describe('POST /v1/admin/tenants', () => {
    it('should create a tenant with its name, its own limits and the defaults for the rest', async () => {
      const id = freshId();

      const response = await request(url)
        .post('/v1/admin/tenants')
        .set(admin)
        .send({ id, name: 'Acme Inc', limits: { maxConcurrentRuns: 3 } })
        .expect(201);

      expect(response.body).toEqual({
        id,
        name: 'Acme Inc',
        agents: null,
        limits: {
          maxConcurrentRuns: 3,
          maxQueuedRuns: 10_000,
          runsPerMinute: 600,
          maxStoredRuns: 10_000,
          maxTokensPerDay: null,
        },
        usage: { queued: 0, running: 0, stored: 0, tokensByDay: NO_TOKENS_YET },
        createdAt: expect.any(String) as unknown,
      });
      const read = await request(url).get(`/v1/admin/tenants/${id}`).set(admin).expect(200);
      expect(read.body).toEqual(response.body);
    });

    it('should answer 409 for a tenant that exists', async () => {
      const id = freshId();
      await request(url).post('/v1/admin/tenants').set(admin).send({ id }).expect(201);

      const response = await request(url)
        .post('/v1/admin/tenants')
        .set(admin)
        .send({ id, name: 'again' })
        .expect(409);

      expect(errorOf(response).code).toBe('tenant_exists');
    });

    it.each([
      ['A-capital'],
      ['-leading-dash'],
      ['x'],
      ['under_score'],
      ['a'.repeat(64)],
      ['dot.ted'],
    ])('should answer 400 naming the id for %s', async (id) => {
      const response = await request(url)
        .post('/v1/admin/tenants')
        .set(admin)
        .send({ id })
        .expect(400);

      expect(errorOf(response).details?.[0]?.path).toBe('id');
    });

    it('should answer 400 for limits that are not positive integers', async () => {
      const response = await request(url)
        .post('/v1/admin/tenants')
        .set(admin)
        .send({ id: freshId(), limits: { maxConcurrentRuns: 0 } })
        .expect(400);

      expect(errorOf(response).details?.[0]?.path).toBe('limits.maxConcurrentRuns');
    });
  });

  describe('keys', () => {
    it('should issue keys that work at once, each shown only when issued', async () => {
      const tenant = await createTenant(url, 'keys');

      const second = await request(url)
        .post(`/v1/admin/tenants/${tenant.id}/keys`)
        .set(admin)
        .expect(201);

      const issued = bodyOf<IssuedKey>(second);
      expect(issued).toEqual({
        id: expect.stringMatching(/^key_/) as unknown,
        key: expect.stringMatching(new RegExp(`^bk_${tenant.id}_`)) as unknown,
      });
      await request(url).get('/v1/agents').set(bearer(issued.key)).expect(200);
      const read = await request(url).get(`/v1/admin/tenants/${tenant.id}`).set(admin).expect(200);
      expect(JSON.stringify(read.body)).not.toContain(issued.key);
    });

    it('should answer 404 for keys of a tenant that does not exist', async () => {
      const response = await request(url)
        .post(`/v1/admin/tenants/${freshId()}/keys`)
        .set(admin)
        .expect(404);

      expect(errorOf(response).code).toBe('tenant_not_found');
    });

    it('should revoke a key at once and answer 404 when revoking it again', async () => {
      const tenant = await createTenant(url, 'revoke');

      await request(url)
        .delete(`/v1/admin/tenants/${tenant.id}/keys/${tenant.keyId}`)
        .set(admin)
        .expect(204);

      await request(url).get('/v1/agents').set(bearer(tenant.key)).expect(401);
      const again = await request(url)
        .delete(`/v1/admin/tenants/${tenant.id}/keys/${tenant.keyId}`)
        .set(admin)
        .expect(404);
      expect(errorOf(again).code).toBe('api_key_not_found');
    });

    it("should not let one tenant's id revoke another tenant's key", async () => {
      const [victim, other] = await Promise.all([
        createTenant(url, 'victim'),
        createTenant(url, 'other'),
      ]);

      await request(url)
        .delete(`/v1/admin/tenants/${other.id}/keys/${victim.keyId}`)
        .set(admin)
        .expect(404);

      await request(url).get('/v1/agents').set(bearer(victim.key)).expect(200);
    });

    it("should not accept a tenant's key with another tenant's id spliced in", async () => {
      const [tenant, other] = await Promise.all([
        createTenant(url, 'splice'),
        createTenant(url, 'target'),
      ]);
      const spliced = tenant.key.replace(`bk_${tenant.id}_`, `bk_${other.id}_`);

      await request(url).get('/v1/runs').set(bearer(spliced)).expect(401);
    });
  });

  describe('authorization', () => {
    it.each([
      ['post', '/v1/admin/tenants'],
      ['get', '/v1/admin/tenants/acme'],
      ['post', '/v1/admin/tenants/acme/keys'],
      ['delete', '/v1/admin/tenants/acme/keys/key_x'],
    ] as const)(
      'should answer 401 to %s %s without the admin token, or with a tenant key',
      async (method, path) => {
        const tenant = await createTenant(url, 'noadmin');

        await request(url)[method](path).expect(401);
        await request(url)[method](path).set(bearer(tenant.key)).expect(401);
        await request(url)
          [method](path)
          .set(bearer('x'.repeat(10_000)))
          .expect(401);
      },
    );

    it('should answer 401 to tenant routes called with the admin token', async () => {
      await request(url).get('/v1/runs').set(admin).expect(401);
    });
  });
});
