import type { AgentManifest } from '@bulkhead/store';
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
    inputSchema: z.toJSONSchema(agent.input, { io: 'input' }) as Record<string, unknown>,
    retries: agent.retries,
    backoff: { type: agent.backoff.type, delayMs: agent.backoff.delayMs },
    ...(agent.timeoutMs === undefined ? {} : { timeoutMs: agent.timeoutMs }),
  };
  const version = createHash('sha256').update(JSON.stringify(described)).digest('hex').slice(0, 16);
  return { ...described, version };
}
