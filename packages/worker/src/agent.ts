import type { RunId, TenantId } from '@bulkhead/context';
import { AGENT_NAME_PATTERN } from '@bulkhead/store';
import type { AgentLlm } from './llm/llm';
import { z } from 'zod';

export interface AgentLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** What an agent gets for one attempt of one run. */
export interface AgentContext {
  readonly tenantId: TenantId;
  readonly runId: RunId;
  /** 1 for the first attempt, then 2, 3 … across retries and crash recovery. */
  readonly attempt: number;
  /** Fires when the run is cancelled or its worker stops; stop promptly when it does. */
  readonly signal: AbortSignal;
  /** Appends an event to the run (type `agent.*`) and delivers it to subscribers. */
  emit(type: string, data?: unknown): Promise<void>;
  /** Lines carry the run's tenantId and runId. */
  readonly logger: AgentLogger;
  /** The run's tenant's LLM providers, with failover between them (docs/llm.md). */
  readonly llm: AgentLlm;
}

export interface Backoff {
  readonly type: 'fixed' | 'exponential';
  readonly delayMs: number;
}

export interface AgentDefinition<Input = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<Input>;
  /** Further attempts after a failure (0: none). Execution is at-least-once: attempts may repeat work. */
  readonly retries: number;
  readonly backoff: Backoff;
  /** The longest one attempt may run, capped by RUN_MAX_DURATION_MS; then it fails timed_out. */
  readonly timeoutMs?: number;
  run(ctx: AgentContext, input: Input): Promise<unknown>;
}

export interface AgentSpec<Schema extends z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly input: Schema;
  readonly retries?: number;
  readonly backoff?: Backoff;
  readonly timeoutMs?: number;
  run(ctx: AgentContext, input: z.output<Schema>): Promise<unknown>;
}

/** Declares an agent; throws at boot for a bad name or retry count, not when the first run arrives. */
export function defineAgent<Schema extends z.ZodType>(
  spec: AgentSpec<Schema>,
): AgentDefinition<z.output<Schema>> {
  if (!AGENT_NAME_PATTERN.test(spec.name)) {
    throw new Error(`Agent name "${spec.name}" must match ${AGENT_NAME_PATTERN}.`);
  }
  const retries = spec.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw new Error(`Agent ${spec.name}: retries must be an integer from 0 to 100.`);
  }
  const { timeoutMs } = spec;
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1)) {
    throw new Error(`Agent ${spec.name}: timeoutMs must be a positive integer of milliseconds.`);
  }
  return {
    name: spec.name,
    description: spec.description,
    input: spec.input as z.ZodType<z.output<Schema>>,
    retries,
    backoff: spec.backoff ?? { type: 'exponential', delayMs: 1_000 },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    run: (ctx, input) => spec.run(ctx, input),
  };
}
