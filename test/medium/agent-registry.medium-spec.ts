import { BUILTIN_AGENTS } from '@bulkhead/agents';
import { manifestOf } from '@bulkhead/worker';
import {
  AgentManifest,
  AgentRegistry,
  MAX_AGENT_VERSIONS,
  MAX_REGISTERED_AGENTS,
  TenantDirectory,
  TooManyAgentsError,
} from '@bulkhead/store';
import { eventually } from '../support/eventually';
import { newTenantId } from './support/store-runs';
import { useStore } from './support/use-store';

const [echo, ticker] = BUILTIN_AGENTS.map(manifestOf);
const servedAs = ({ name, version }: AgentManifest) => ({ name, version });
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
    await suite.apps[1]!.fleet.join('worker-a', 4, [servedAs(echo), servedAs(ticker)]);
  });

  it('should list every registered agent by name with its manifest and the live workers serving it', async () => {
    await eventually(async () => expect(await workersOf('echo')).toBe(1));

    const listed = await registryOf(0).listFor(tenantId);

    expect(listed.map((agent) => agent.name)).toEqual(['echo', 'ticker']);
    expect(listed[0]).toEqual({
      ...echo,
      workers: 1,
      versions: [{ version: echo!.version, workers: 1 }],
    });
  });

  it('should count a second worker serving one of the agents at once, on its join broadcast', async () => {
    await registryOf(2).register([echo!]);
    await suite.apps[2]!.fleet.join('worker-b', 4, [servedAs(echo!)]);

    await eventually(async () => expect(await workersOf('echo')).toBe(2));
    expect(await workersOf('ticker')).toBe(1);
  });

  it('should not count a worker whose registration has stopped beating', async () => {
    const { keys, redis } = suite.app;
    const longAgo = Date.now() - 60_000;
    await redis.hset(
      keys.workers,
      'worker-dead',
      JSON.stringify({ slots: 4, seenAt: longAgo, agents: [servedAs(ticker!)] }),
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

  it('should check runs against every version live workers serve while a deploy runs two', async () => {
    const newer = { ...ticker!, description: 'A newer ticker.', version: 'ffffffffffffffff' };
    await registryOf(2).register([newer]);
    await suite.apps[2]!.fleet.join('worker-b', 4, [servedAs(echo!), servedAs(newer)]);
    const liveVersions = async () =>
      (await registryOf(0).versionsFor(tenantId, 'ticker'))?.live.map((m) => m.version).sort();

    await eventually(async () =>
      expect(await liveVersions()).toEqual([ticker!.version, newer.version].sort()),
    );
    expect((await registryOf(0).versionsFor(tenantId, 'ticker'))?.latest).toEqual(newer);
  });

  it('should check runs against the version registered last while no live worker serves the agent', async () => {
    const unserved = { ...echo!, name: 'unserved', version: '0123456789abcdef' };
    await registryOf(1).register([unserved]);

    expect(await registryOf(0).versionsFor(tenantId, 'unserved')).toEqual({
      latest: unserved,
      live: [unserved],
    });
  });

  it(`should keep at most ${MAX_AGENT_VERSIONS} versions of an agent, never one a live worker serves`, async () => {
    const { keys, redis } = suite.app;
    const deploys = Array.from({ length: MAX_AGENT_VERSIONS + 4 }, (_, i) => ({
      ...echo!,
      version: (0xe000 + i).toString(16).padStart(16, '0'),
    }));

    for (const deploy of deploys) {
      await registryOf(1).register([deploy]);
    }

    const kept = await redis.hkeys(keys.agentVersions('echo'));
    expect(kept.length).toBeLessThanOrEqual(MAX_AGENT_VERSIONS);
    expect(kept).toEqual(expect.arrayContaining([echo!.version, deploys.at(-1)!.version]));
  });

  it('should hide from a tenant with an allowlist every agent outside it, in the listing and by name', async () => {
    const directory = suite.app.module.get(TenantDirectory);
    const limited = newTenantId('limited');
    await directory.setAgents(limited, ['echo']);

    const listed = await registryOf(0).listFor(limited);

    expect(listed.map((agent) => agent.name)).toEqual(['echo']);
    expect(await registryOf(0).versionsFor(limited, 'ticker')).toBeUndefined();
    expect(await registryOf(0).versionsFor(tenantId, 'ticker')).toBeDefined();
    await directory.setAgents(limited, null);
    expect(await registryOf(0).versionsFor(limited, 'ticker')).toBeDefined();
  });

  it(`should refuse a registration that would hold more than ${MAX_REGISTERED_AGENTS} agent names`, async () => {
    const { keys, redis } = suite.app;
    const registered = await redis.hlen(keys.agents);
    const filler = Array.from({ length: MAX_REGISTERED_AGENTS - registered }, (_, i) => [
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
