import { Inject, Injectable } from '@nestjs/common';
import { UnknownAgentError, parseOrThrow } from '@bulkhead/errors';
import { z } from 'zod';
import type { AgentManifest } from '@bulkhead/store';
import { AgentDefinition } from './agent';
import { manifestOf } from './agent-manifest';

export const AGENT_DEFINITIONS = Symbol('AgentDefinitions');

export interface AgentDescription {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: unknown;
}

/** The agents this platform can run: fixed at boot, read-only, the same for every tenant. */
@Injectable()
export class AgentCatalogue {
  private readonly byName: ReadonlyMap<string, AgentDefinition>;

  constructor(@Inject(AGENT_DEFINITIONS) definitions: readonly AgentDefinition[]) {
    this.byName = new Map(definitions.map((agent) => [agent.name, agent]));
  }

  get(name: string): AgentDefinition {
    const agent = this.byName.get(name);
    if (!agent) {
      throw new UnknownAgentError(name, [...this.byName.keys()]);
    }
    return agent;
  }

  /** The agent's parsed input (defaults applied); ValidationError naming `input.<field>` otherwise. */
  parseInput(name: string, input: unknown): unknown {
    return parseOrThrow(this.get(name).input, input, 'input');
  }

  /** What a worker registers for the agents it serves (AgentRegistry). */
  manifests(): AgentManifest[] {
    return [...this.byName.values()].map(manifestOf);
  }

  describe(): AgentDescription[] {
    return [...this.byName.values()].map((agent) => ({
      name: agent.name,
      description: agent.description,
      inputSchema: z.toJSONSchema(agent.input, { io: 'input' }),
    }));
  }
}
