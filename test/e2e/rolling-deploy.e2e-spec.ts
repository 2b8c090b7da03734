import request from 'supertest';
import { bodyOf, errorOf } from '../support/answers';
import { eventually } from '../support/eventually';
import { PlatformProcess } from '../support/platform';
import { RunBody, finishedRun, submitRun } from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

interface Listed {
  readonly name: string;
  readonly description: string;
  readonly workers: number;
  readonly version: string;
  readonly versions: readonly { version: string; workers: number }[];
}

const V1 = 'test/e2e/fixtures/greeter-v1.agents.js';
const V2 = 'test/e2e/fixtures/greeter-v2.agents.js';

describe('A rolling deploy: two versions of one agent served side by side', () => {
  const suite = usePlatform({ workers: 0 });
  // One slot each, so that runs submitted together reach both workers.
  const oneSlot = { WORKER_CONCURRENCY: '1' };
  let tenant: TestTenant;
  let v1: PlatformProcess;

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'rolling');
    v1 = await suite.platform.startAgentWorker('greeter-v1', V1, oneSlot);
    await suite.platform.startAgentWorker('greeter-v2', V2, oneSlot);
    await eventually(async () => expect((await greeter())?.workers).toBe(2));
  });

  const greeter = async () => {
    const response = await request(suite.platform.url)
      .get('/v1/agents')
      .set(bearer(tenant.key))
      .expect(200);
    return bodyOf<Listed[]>(response).find((agent) => agent.name === 'greeter');
  };
  const greet = (input: object) =>
    request(suite.platform.url)
      .post('/v1/runs')
      .set(bearer(tenant.key))
      .send({ agent: 'greeter', input });
  const finished = (runs: RunBody[]) =>
    Promise.all(runs.map((run) => finishedRun(suite.platform.url, tenant.key, run.id)));

  it('should list the version registered last, with every live worker of either version', async () => {
    const listed = await greeter();

    expect(listed).toMatchObject({
      description: 'Greets someone, in their own words if given.',
      workers: 2,
    });
    expect(listed?.versions.map((served) => served.workers)).toEqual([1, 1]);
    expect(listed?.versions.map((served) => served.version)).toContain(listed?.version);
  });

  it('should run an input both versions accept on either worker, stored as sent', async () => {
    const runs = await Promise.all(
      ['Ada', 'Grace', 'Edsger', 'Barbara'].map((name) =>
        submitRun(suite.platform.url, tenant.key, {
          agent: 'greeter',
          input: { name, holdMs: 300 },
        }),
      ),
    );

    const done = await finished(runs);

    expect(done.map((run) => run.status)).toEqual(runs.map(() => 'succeeded'));
    expect(done.map((run) => run.input)).toEqual(
      ['Ada', 'Grace', 'Edsger', 'Barbara'].map((name) => ({ name, holdMs: 300 })),
    );
    const versions = new Set(done.map((run) => (run.output as { version: number }).version));
    expect([...versions].sort()).toEqual([1, 2]);
  });

  it('should refuse, while the old version still serves, an input only the new one accepts', async () => {
    const response = await greet({ name: 'Ada', greeting: 'Hej' }).expect(400);

    expect(errorOf(response).details?.[0]?.path).toBe('input.greeting');
  });

  it("should accept it once the old version's workers are gone, and run it on the new one", async () => {
    await v1.stop();
    await eventually(async () => expect((await greeter())?.versions).toHaveLength(1));

    const run = bodyOf<RunBody>(await greet({ name: 'Ada', greeting: 'Hej' }).expect(202));
    const [done] = await finished([run]);

    expect(done?.input).toEqual({ name: 'Ada', greeting: 'Hej', holdMs: 0 });
    expect(done?.output).toEqual({ text: 'Hej, Ada', version: 2 });
  });
});
