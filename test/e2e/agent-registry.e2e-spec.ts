import request from 'supertest';
import { bodyOf } from '../support/answers';
import { eventually } from '../support/eventually';
import { finishedRun, getRun, submitRun } from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';
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
