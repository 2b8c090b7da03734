import { RunId, TenantId } from '@bulkhead/context';
import type { RunUsage } from './token-usage';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type TerminalStatus = Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;

export type JsonObject = { [key: string]: unknown };

export interface RunError {
  readonly message: string;
  /**
   * Set when the platform ended the run (timed_out, output_not_json, output_too_large) or when the
   * agent let one of Bulkhead's own errors fail it: its code (no_provider_available,
   * token_budget_exhausted, agent_event_rejected).
   */
  readonly code?: string;
}

export interface Run {
  readonly id: RunId;
  readonly tenantId: TenantId;
  readonly agent: string;
  readonly status: RunStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: RunError;
  readonly attempts: number;
  readonly metadata?: JsonObject;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly cancelRequestedAt?: string;
  /** The LLM tokens its agent used over all its attempts; absent until it makes a call. */
  readonly usage?: RunUsage;
}

/**
 * What a list page shows of a run: no input, output or usage (up to 32 entries by model), so a page
 * stays small whatever was stored.
 */
export type RunSummary = Omit<Run, 'input' | 'output' | 'usage'>;

/** The fields of a run record a summary reads. */
export const RUN_SUMMARY_FIELDS = [
  'id',
  'tenantId',
  'agent',
  'status',
  'error',
  'attempts',
  'metadata',
  'createdAt',
  'startedAt',
  'finishedAt',
  'cancelRequestedAt',
] as const;

export interface RunEvent {
  readonly id: number;
  readonly runId: RunId;
  readonly type: string;
  readonly data: unknown;
  readonly ts: string;
}

export function isTerminal(status: RunStatus): status is TerminalStatus {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}
