import { StartupError } from '@bulkhead/config';
import { UnknownAgentError } from '@bulkhead/errors';
import type { AgentManifest } from '@bulkhead/store';
import { AgentDefinition } from './agent';
import { manifestOf } from './agent-manifest';

/**
 * The agents this worker serves: given to startWorker, checked before the worker boots (so a bad
 * list stops it with a message), fixed for the process's life, read-only.
 */
export class AgentCatalogue {
  private readonly byName: ReadonlyMap<string, AgentDefinition>;

  constructor(definitions: readonly AgentDefinition[]) {
    this.byName = catalogueOf(definitions);
  }

  get(name: string): AgentDefinition {
    const agent = this.byName.get(name);
    if (!agent) {
      throw new UnknownAgentError(name, [...this.byName.keys()]);
    }
    return agent;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** What this worker registers for the agents it serves (AgentRegistry). */
  manifests(): AgentManifest[] {
    return [...this.byName.values()].map(manifestOf);
  }
}

/** Refuses, at boot, a worker with no agents, a value that is not a definition, or two of one name. */
function catalogueOf(definitions: readonly AgentDefinition[]): Map<string, AgentDefinition> {
  if (definitions.length === 0) {
    throw new StartupError('A worker needs at least one agent: pass agents: [defineAgent(...)].');
  }
  const byName = new Map<string, AgentDefinition>();
  for (const agent of definitions) {
    if (typeof agent?.name !== 'string' || typeof agent.run !== 'function') {
      throw new StartupError('Every entry of agents must be what defineAgent returns.');
    }
    if (byName.has(agent.name)) {
      throw new StartupError(`Two agents are named "${agent.name}".`);
    }
    byName.set(agent.name, agent);
  }
  return byName;
}
