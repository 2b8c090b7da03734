import request from 'supertest';
import { errorOf } from '../support/answers';
import { bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Test agents are off unless BULKHEAD_TEST_AGENTS is set', () => {
  // One worker: the API lists what live workers registered.
  const suite = usePlatform({ workers: 1, env: { BULKHEAD_TEST_AGENTS: 'false' } });

  it('should list only the production agents', async () => {
    const tenant = await createTenant(suite.platform.url, 'agents');

    const response = await request(suite.platform.url)
      .get('/v1/agents')
      .set(bearer(tenant.key))
      .expect(200);

    const names = (response.body as { name: string }[]).map((agent) => agent.name).sort();
    expect(names).toEqual(['chat', 'echo', 'flaky', 'ticker']);
  });

  it.each(['probe', 'failing', 'misbehave'])(
    'should answer a run of %s like one of an unknown agent',
    async (agent) => {
      const tenant = await createTenant(suite.platform.url, 'agents');

      const response = await request(suite.platform.url)
        .post('/v1/runs')
        .set(bearer(tenant.key))
        .send({ agent, input: {} })
        .expect(400);

      expect(errorOf(response).code).toBe('unknown_agent');
    },
  );
});
