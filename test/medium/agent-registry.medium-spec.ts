import { BUILTIN_AGENTS } from '@bulkhead/agents';
import { manifestOf } from '@bulkhead/worker';
import {
  AgentRegistry,
  MAX_REGISTERED_AGENTS,
  TenantDirectory,
  TooManyAgentsError,
} from '@bulkhead/store';
import { eventually } from '../support/eventually';
import { newTenantId } from './support/store-runs';
import { useStore } from './support/use-store';

const [echo, ticker] = BUILTIN_AGENTS.map(manifestOf);
const tenantId = newTenantId('registry');

describe(`${AgentRegistry.name}: the agents workers register, and who serves them`, () => {
  // App 0 lists as an API process does; apps 1 and 2 register and join the fleet as workers.
  const suite = useStore({ apps: 3 });
  const registryOf = (i: number) => suite.apps[i]!.module.get(AgentRegistry);
  const workersOf = async (name: string) =>
    (await registryOf(0).listFor(tenantId)).find((agent) => agent.name === name)?.workers;

  beforeAll(async () => {
    if (!echo || !ticker) {
      throw new Error('the built-in agents are missing');
    }
    await registryOf(1).register([echo, ticker]);
    await suite.apps[1]!.fleet.join('worker-a', 4, [echo.name, ticker.name]);
  });

  it('should list every registered agent by name with its manifest and the live workers serving it', async () => {
    await eventually(async () => expect(await workersOf('echo')).toBe(1));

    const listed = await registryOf(0).listFor(tenantId);

    expect(listed.map((agent) => agent.name)).toEqual(['echo', 'ticker']);
    expect(listed[0]).toEqual({ ...echo, workers: 1 });
  });

  it('should count a second worker serving one of the agents at once, on its join broadcast', async () => {
    await registryOf(2).register([echo!]);
    await suite.apps[2]!.fleet.join('worker-b', 4, [echo!.name]);

    await eventually(async () => expect(await workersOf('echo')).toBe(2));
    expect(await workersOf('ticker')).toBe(1);
  });

  it('should not count a worker whose registration has stopped beating', async () => {
    const { keys, redis } = suite.app;
    const longAgo = Date.now() - 60_000;
    await redis.hset(
      keys.workers,
      'worker-dead',
      JSON.stringify({ slots: 4, seenAt: longAgo, agents: ['ticker'] }),
    );
    await redis.publish(keys.fleetChannel, 'worker-dead');

    await eventually(async () => expect(await redis.hexists(keys.workers, 'worker-dead')).toBe(0));
    expect(await workersOf('ticker')).toBe(1);
  });

  it('should keep the manifest registered last when a new version of an agent registers', async () => {
    const renamed = { ...ticker!, description: 'A newer ticker.', version: 'ffffffffffffffff' };

    await registryOf(2).register([renamed]);

    const listed = (await registryOf(0).listFor(tenantId)).find((agent) => agent.name === 'ticker');
    expect(listed).toMatchObject({ description: 'A newer ticker.', version: renamed.version });
  });

  it('should hide from a tenant with an allowlist every agent outside it, in the listing and by name', async () => {
    const directory = suite.app.module.get(TenantDirectory);
    const limited = newTenantId('limited');
    await directory.setAgents(limited, ['echo']);

    const listed = await registryOf(0).listFor(limited);

    expect(listed.map((agent) => agent.name)).toEqual(['echo']);
    expect(await registryOf(0).findFor(limited, 'ticker')).toBeUndefined();
    expect(await registryOf(0).findFor(tenantId, 'ticker')).toBeDefined();
    await directory.setAgents(limited, null);
    expect(await registryOf(0).findFor(limited, 'ticker')).toBeDefined();
  });

  it(`should refuse a registration that would hold more than ${MAX_REGISTERED_AGENTS} agent names`, async () => {
    const { keys, redis } = suite.app;
    const filler = Array.from({ length: MAX_REGISTERED_AGENTS - 2 }, (_, i) => [
      `filler-${i}`,
      '{}',
    ]).flat();
    await redis.hset(keys.agents, ...filler);

    await expect(registryOf(1).register([{ ...echo!, name: 'one-too-many' }])).rejects.toThrow(
      TooManyAgentsError,
    );
    await expect(registryOf(1).register([echo!])).resolves.toBeUndefined();
    expect(await redis.hexists(keys.agents, 'one-too-many')).toBe(0);
  });
});
