import type { AgentManifest } from '@bulkhead/store';
import { StartupError } from '@bulkhead/config';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AgentDefinition } from './agent';

/**
 * What a worker registers for an agent: its name, description, input as JSON Schema (as a client
 * sends it: defaults optional), retry and timeout settings, and a version that changes whenever any
 * of them does (the first 16 hex digits of their SHA-256), so two deploys of one agent are told apart.
 */
export function manifestOf(agent: AgentDefinition): AgentManifest {
  const described = {
    name: agent.name,
    description: agent.description,
    inputSchema: inputSchemaOf(agent),
    retries: agent.retries,
    backoff: { type: agent.backoff.type, delayMs: agent.backoff.delayMs },
    ...(agent.timeoutMs === undefined ? {} : { timeoutMs: agent.timeoutMs }),
  };
  const version = createHash('sha256').update(JSON.stringify(described)).digest('hex').slice(0, 16);
  return { ...described, version };
}

/** The input as JSON Schema; a schema JSON cannot carry (a Date, a transform's output) stops the boot. */
function inputSchemaOf(agent: AgentDefinition): Record<string, unknown> {
  try {
    return z.toJSONSchema(agent.input, { io: 'input' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StartupError(
      `Agent ${agent.name}: its input cannot be described as JSON Schema (${reason}); use types JSON can carry.`,
      { cause: error },
    );
  }
}
