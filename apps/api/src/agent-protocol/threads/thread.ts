import { StoredThread, ThreadState } from '@bulkhead/store';

/** A thread as LangGraph's SDK reads it (its `Thread` type). */
export interface Thread {
  readonly thread_id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly state_updated_at: string;
  readonly metadata: Record<string, unknown>;
  readonly status: 'idle' | 'busy' | 'interrupted' | 'error';
  readonly values: Record<string, unknown>;
  readonly interrupts: Record<string, never>;
}

const NO_RUNS: ThreadState = Object.freeze({ status: 'idle', values: Object.freeze({}) });

/** A thread and what its runs make of it: busy while one is pending or running, its values. */
export function threadOf(stored: StoredThread, state: ThreadState = NO_RUNS): Thread {
  return {
    thread_id: stored.id,
    created_at: stored.createdAt,
    updated_at: stored.updatedAt,
    state_updated_at: stored.updatedAt,
    metadata: stored.metadata,
    status: state.status,
    values: state.values,
    interrupts: {},
  };
}
