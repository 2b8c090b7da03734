import { randomUUID } from 'node:crypto';
import type { AgentContext, AgentDefinition, AgentLogger } from './agent';
import type { AgentLlm } from './llm/llm';
import { checkedEvent } from './runtime/agent-event';

export interface AgentRunOptions {
  readonly tenantId?: string;
  readonly runId?: string;
  /** 1 unless given: what ctx.attempt says. */
  readonly attempt?: number;
  /** Abort it to see how the agent stops (a worker aborts on cancel, timeout and shutdown). */
  readonly signal?: AbortSignal;
  /** EVENT_MAX_BYTES as the worker applies it; 65,536 unless given. */
  readonly maxEventBytes?: number;
  /** What ctx.llm answers (a fake of your own); unless given, a call rejects saying so. */
  readonly llm?: AgentLlm;
}

export interface EmittedEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly event: string;
  readonly fields: Record<string, unknown>;
}

export interface AgentRun<Output = unknown> {
  readonly output: Output;
  readonly events: readonly EmittedEvent[];
  readonly logs: readonly LoggedLine[];
}

/**
 * Runs one attempt of an agent in this process, without Redis or a worker: the input is parsed by
 * the agent's schema (defaults applied, a bad one throws the ZodError), emits are checked as a worker
 * checks them (type, JSON, size) and recorded in order. Resolves with the output, or rejects with
 * what the agent threw; either way nothing is retried.
 */
export async function runAgent<Input>(
  agent: AgentDefinition<Input>,
  input: unknown,
  options: AgentRunOptions = {},
): Promise<AgentRun> {
  const events: EmittedEvent[] = [];
  const logs: LoggedLine[] = [];
  const maxEventBytes = options.maxEventBytes ?? 65_536;
  const ctx: AgentContext = {
    tenantId: (options.tenantId ?? 'test-tenant') as AgentContext['tenantId'],
    runId: (options.runId ?? `run_${randomUUID()}`) as AgentContext['runId'],
    attempt: options.attempt ?? 1,
    signal: options.signal ?? new AbortController().signal,
    emit: (type, data) => {
      try {
        // Stored as the worker stores it: as JSON, so a test sees what subscribers would.
        const stored = JSON.stringify(checkedEvent(type, data, maxEventBytes));
        events.push({ type, data: JSON.parse(stored) as unknown });
        return Promise.resolve();
      } catch (error) {
        // A rejected emit, as in a worker: the agent awaits it and sees why.
        return Promise.reject(error);
      }
    },
    logger: recordingLogger(logs),
    llm: options.llm ?? NO_LLM,
  };
  const output = await agent.run(ctx, agent.input.parse(input));
  return { output, events, logs };
}

const NO_LLM: AgentLlm = Object.freeze({
  chat: () => Promise.reject(new Error('No ctx.llm in this test: pass runAgent(…, {llm}).')),
  stream: () => {
    throw new Error('No ctx.llm in this test: pass runAgent(…, {llm}).');
  },
});

function recordingLogger(logs: LoggedLine[]): AgentLogger {
  const line =
    (level: LoggedLine['level']) =>
    (event: string, fields: Record<string, unknown> = {}) => {
      logs.push({ level, event, fields });
    };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
