import { RunId, TenantId } from '@bulkhead/context';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type TerminalStatus = Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;

export type JsonObject = { [key: string]: unknown };

export interface RunError {
  readonly message: string;
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
}

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
