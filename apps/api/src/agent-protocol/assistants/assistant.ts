import { createHash } from 'node:crypto';
import { RegisteredAgent } from '@bulkhead/store';

/** LangGraph's namespace for a graph's assistant id (uuid v5 of the graph's name in it). */
const GRAPH_NAMESPACE = '6ba7b821-9dad-11d1-80b4-00c04fd430c8';

/** Bulkhead's agents have no creation time: every assistant shows this one. */
const AGENT_EPOCH = new Date(0).toISOString();

/** An agent as LangGraph's SDK reads an assistant (its `Assistant` type). */
export interface Assistant {
  readonly assistant_id: string;
  readonly graph_id: string;
  readonly name: string;
  readonly description: string;
  readonly config: Record<string, never>;
  readonly context: Record<string, never>;
  readonly metadata: { readonly created_by: 'system' };
  readonly version: 1;
  readonly created_at: string;
  readonly updated_at: string;
}

/** The assistant of an agent: the same id LangGraph gives a graph of that name. */
export function assistantOf({ name, description }: RegisteredAgent): Assistant {
  return {
    assistant_id: assistantIdOf(name),
    graph_id: name,
    name,
    description,
    config: {},
    context: {},
    metadata: { created_by: 'system' },
    version: 1,
    created_at: AGENT_EPOCH,
    updated_at: AGENT_EPOCH,
  };
}

/** uuid v5 (RFC 9562: SHA-1 of the namespace's bytes and the name, version and variant bits set). */
export function assistantIdOf(agentName: string): string {
  const namespace = Buffer.from(GRAPH_NAMESPACE.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(agentName, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The agent an assistant id names: its uuid, or the agent's name itself (as LangGraph accepts). */
export function agentNamed(
  agents: readonly RegisteredAgent[],
  assistantId: string,
): RegisteredAgent | undefined {
  return agents.find(
    (agent) => agent.name === assistantId || assistantIdOf(agent.name) === assistantId,
  );
}
