import request from 'supertest';
import { bodyOf, errorOf } from '../support/answers';
import { eventually } from '../support/eventually';
import { finishedRun, getRun, submitRun } from '../support/runs';
import { TestTenant, admin, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

interface Listed {
  readonly name: string;
  readonly workers: number;
}

describe('The agent registry: the API lists what live workers registered', () => {
  const suite = usePlatform({ workers: 1 });
  let tenant: TestTenant;

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'registry');
  });

  const workersServing = async (name: string) => {
    const response = await request(suite.platform.url)
      .get('/v1/agents')
      .set(bearer(tenant.key))
      .expect(200);
    return bodyOf<Listed[]>(response).find((agent) => agent.name === name)?.workers;
  };

  it('should count each live worker process serving an agent', async () => {
    expect(await workersServing('echo')).toBe(1);

    await suite.platform.startWorker();

    await eventually(async () => expect(await workersServing('echo')).toBe(2));
  });

  describe('per-tenant access', () => {
    const patch = (tenantId: string, body: object) =>
      request(suite.platform.url).patch(`/v1/admin/tenants/${tenantId}`).set(admin).send(body);
    const listedBy = async (key: string) =>
      bodyOf<Listed[]>(
        await request(suite.platform.url).get('/v1/agents').set(bearer(key)).expect(200),
      ).map((agent) => agent.name);

    it("should hide an agent outside a tenant's list from its listing and answer its runs like an unknown agent's", async () => {
      const limited = await createTenant(suite.platform.url, 'limited');

      const view = await patch(limited.id, { agents: ['echo'] }).expect(200);

      expect(bodyOf<{ agents: unknown }>(view).agents).toEqual(['echo']);
      expect(await listedBy(limited.key)).toEqual(['echo']);
      const refused = await request(suite.platform.url)
        .post('/v1/runs')
        .set(bearer(limited.key))
        .send({ agent: 'ticker', input: { steps: 1 } })
        .expect(400);
      const unknown = await request(suite.platform.url)
        .post('/v1/runs')
        .set(bearer(limited.key))
        .send({ agent: 'no-such-agent' })
        .expect(400);
      expect(errorOf(refused).code).toBe('unknown_agent');
      expect(errorOf(refused).message).not.toContain('ticker,');
      expect(errorOf(refused).message).toBe(
        errorOf(unknown).message.replace('no-such-agent', 'ticker'),
      );
      expect(await listedBy(tenant.key)).toContain('ticker');
    });

    it('should give a tenant every agent again with agents: null', async () => {
      const limited = await createTenant(suite.platform.url, 'relisted');
      await patch(limited.id, { agents: [] }).expect(200);
      expect(await listedBy(limited.key)).toEqual([]);

      const view = await patch(limited.id, { agents: null }).expect(200);

      expect(bodyOf<{ agents: unknown }>(view).agents).toBeNull();
      expect(await listedBy(limited.key)).toEqual(expect.arrayContaining(['echo', 'ticker']));
    });

    it.each([
      [{ agents: ['Not A Name'] }, 'agents.0'],
      [{ agents: 'echo' }, 'agents'],
      [{}, ''],
      [{ agents: null, other: 1 }, ''],
    ])('should answer the patch %j with a 400 naming %s', async (body, path) => {
      const response = await patch(tenant.id, body).expect(400);

      expect(errorOf(response).code).toBe('invalid_request');
      if (path) {
        expect(JSON.stringify(errorOf(response).details)).toContain(`"path":"${path}"`);
      }
    });

    it('should answer a patch of an unknown tenant with 404', async () => {
      await patch('no-such-tenant', { agents: null }).expect(404);
    });
  });

  it('should keep listing an agent whose workers all stopped, with 0 workers, and accept its runs to wait', async () => {
    await Promise.all(suite.platform.workers.map((worker) => worker.stop()));
    await eventually(async () => expect(await workersServing('echo')).toBe(0));

    const run = await submitRun(suite.platform.url, tenant.key, { agent: 'echo', input: { n: 1 } });
    expect((await getRun(suite.platform.url, tenant.key, run.id)).status).toBe('queued');

    await suite.platform.startWorker();
    const finished = await finishedRun(suite.platform.url, tenant.key, run.id, 20_000);
    expect(finished.status).toBe('succeeded');
    expect(await workersServing('echo')).toBe(1);
  });
});
