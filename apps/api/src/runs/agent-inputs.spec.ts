import { manifestOf, defineAgent } from '@bulkhead/worker';
import { TenantId } from '@bulkhead/context';
import { ServiceUnavailableError, UnknownAgentError, ValidationError } from '@bulkhead/errors';
import { AgentManifest, AgentRegistry, AgentVersions } from '@bulkhead/store';
import { z } from 'zod';
import { AgentInputs, COMPILED_SCHEMAS_MAX } from './agent-inputs';

const counter = manifestOf(
  defineAgent({
    name: 'counter',
    description: 'Counts.',
    input: z.object({
      steps: z.number().int().min(1).max(10).default(3),
      label: z.string(),
      tags: z.array(z.string()).optional(),
    }),
    run: () => Promise.resolve(undefined),
  }),
);

/** The registry's reads, over a fixed set of manifests (the medium tier drives the real one). */
function registryOf(manifests: readonly AgentManifest[]): AgentRegistry {
  const byName = new Map(manifests.map((manifest) => [manifest.name, manifest]));
  return {
    versionsFor: (_tenantId: TenantId, name: string) => {
      const manifest = byName.get(name);
      return Promise.resolve(manifest && servedIn(manifest));
    },
    listFor: () => Promise.resolve([...byName.values()]),
  } as unknown as AgentRegistry;
}

/** The agent as its live workers serve it: the first manifest is the one registered last. */
function servedIn(latest: AgentManifest, ...others: AgentManifest[]): AgentVersions {
  return { latest, live: [latest, ...others] };
}

describe(AgentInputs.name, () => {
  const sut = new AgentInputs(registryOf([counter]));

  it("should apply the registered schema's defaults to a valid input", () => {
    expect(sut.parse(servedIn(counter), { label: 'a' })).toEqual({ label: 'a', steps: 3 });
  });

  describe('during a rolling deploy, with two versions live', () => {
    const strictOld = manifestOf(
      defineAgent({
        name: 'counter',
        description: 'Counts, before `tags` existed.',
        input: z.strictObject({
          steps: z.number().int().min(1).max(10).default(3),
          label: z.string(),
        }),
        run: () => Promise.resolve(undefined),
      }),
    );

    it('should accept an input every live version accepts, stored as sent for each to default', () => {
      expect(sut.parse(servedIn(counter, strictOld), { label: 'a' })).toEqual({ label: 'a' });
    });

    it('should refuse an input one live version would refuse, naming the field', () => {
      const error = catchOf(() =>
        sut.parse(servedIn(counter, strictOld), { label: 'a', tags: [] }),
      );

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details[0]?.path).toBe('input.tags');
    });
  });

  it.each([
    [{ label: 'a', steps: 0 }, 'input.steps'],
    [{ label: 'a', steps: 2.5 }, 'input.steps'],
    [{ steps: 2 }, 'input.label'],
    [{ label: 'a', tags: ['x', 7] }, 'input.tags.1'],
    ['not an object', 'input'],
  ])('should answer %j with a validation error naming %s', (input, path) => {
    const error = catchOf(() => sut.parse(servedIn(counter), input));

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details[0]?.path).toBe(path);
  });

  it('should answer an unregistered agent with unknown_agent naming the ones the tenant may use', async () => {
    const error = await sut.versionsOf('acme' as TenantId, 'nope').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnknownAgentError);
    expect((error as UnknownAgentError).message).toContain('Known agents: counter');
  });

  it('should refuse runs of an agent whose registered schema does not compile as unavailable, not a 500', () => {
    const broken = {
      ...counter,
      version: 'badbadbadbadbad0',
      inputSchema: { $ref: '#/$defs/missing' },
    };

    expect(() => sut.parse(servedIn(broken), {})).toThrow(ServiceUnavailableError);
  });

  it(`should keep at most ${COMPILED_SCHEMAS_MAX} compiled versions, and still validate an evicted one`, () => {
    const versions = Array.from({ length: COMPILED_SCHEMAS_MAX + 5 }, (_, i) => ({
      ...counter,
      version: i.toString(16).padStart(16, '0'),
    }));
    const inputs = new AgentInputs(registryOf(versions));

    for (const version of versions) {
      inputs.parse(servedIn(version), { label: 'a' });
    }

    expect((inputs as unknown as { compiled: Map<string, unknown> }).compiled.size).toBe(
      COMPILED_SCHEMAS_MAX,
    );
    expect(inputs.parse(servedIn(versions[0]!), { label: 'b' })).toEqual({ label: 'b', steps: 3 });
  });
});

function catchOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
