import { StoredThread } from '@bulkhead/store';

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

export function threadOf(stored: StoredThread): Thread {
  return {
    thread_id: stored.id,
    created_at: stored.createdAt,
    updated_at: stored.updatedAt,
    state_updated_at: stored.updatedAt,
    metadata: stored.metadata,
    status: 'idle',
    values: {},
    interrupts: {},
  };
}
