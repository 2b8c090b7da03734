import { AgentRun, Run, RunEvent, RunStatus, valuesOf } from '@bulkhead/store';
import { assistantIdOf } from '../assistants/assistant';

/** A run's status as LangGraph's SDK reads it. */
export type AgentRunStatus =
  'pending' | 'running' | 'error' | 'success' | 'timeout' | 'interrupted';

const STATUS_NAMES: Readonly<Record<RunStatus, AgentRunStatus>> = Object.freeze({
  queued: 'pending',
  running: 'running',
  succeeded: 'success',
  failed: 'error',
  cancelled: 'interrupted',
});

/** A run as LangGraph's SDK reads it (its `Run` type). */
export interface AgentRunView {
  readonly run_id: string;
  readonly thread_id: string;
  readonly assistant_id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly status: AgentRunStatus;
  readonly metadata: Record<string, unknown>;
  readonly multitask_strategy: AgentRun['strategy'];
  readonly kwargs: { readonly input: unknown; readonly stream_mode: readonly string[] };
}

export function statusOf(run: Pick<Run, 'status' | 'error'>): AgentRunStatus {
  return run.status === 'failed' && run.error?.code === 'timed_out'
    ? 'timeout'
    : STATUS_NAMES[run.status];
}

export function runViewOf(run: Run, agentRun: AgentRun): AgentRunView {
  return {
    run_id: run.id,
    thread_id: agentRun.threadId,
    assistant_id: assistantIdOf(run.agent),
    created_at: run.createdAt,
    updated_at: run.finishedAt ?? run.startedAt ?? run.createdAt,
    status: statusOf(run),
    metadata: run.metadata ?? {},
    multitask_strategy: agentRun.strategy,
    kwargs: { input: run.input, stream_mode: agentRun.streamModes },
  };
}

/** The failure as LangGraph reports it: `error` a name (Bulkhead's code when it has one). */
export function errorOf(error: Run['error']): { error: string; message: string } {
  return { error: error?.code ?? 'AgentError', message: error?.message ?? 'The run failed.' };
}

/**
 * What runs.wait and runs.join answer once the run ended: its values, `{__error__}` for a failure
 * (the SDK throws it), `{}` for a cancelled run.
 */
export function finalValuesOf(run: Run): Record<string, unknown> {
  if (run.status === 'failed') {
    return { __error__: errorOf(run.error) };
  }
  return run.status === 'succeeded' ? valuesOf(run.output) : {};
}

const TERMINAL_EVENTS = Object.freeze(['run.succeeded', 'run.failed', 'run.cancelled']);

export function isTerminalEvent(event: RunEvent): boolean {
  return TERMINAL_EVENTS.includes(event.type);
}

/** One SSE event of a LangGraph stream. */
export interface StreamEvent {
  /** The run's event id; absent on `end`, which is never stored. */
  readonly id?: number;
  readonly event: string;
  readonly data: unknown;
}

export interface StreamOf {
  readonly run: Pick<Run, 'id' | 'agent'>;
  readonly threadId: string;
  readonly modes: ReadonlySet<string>;
}

/**
 * A stored event as the stream shows it, or undefined when the stream's modes leave it out. One
 * stored event makes at most one SSE event, so its id alone says where a client resumes.
 */
export function streamEventOf(event: RunEvent, stream: StreamOf): StreamEvent | undefined {
  const { id, type, data } = event;
  const { modes } = stream;
  switch (type) {
    case 'run.queued':
    case 'run.cancelled':
      return undefined;
    case 'run.started':
      return {
        id,
        event: 'metadata',
        data: { run_id: stream.run.id, thread_id: stream.threadId, ...attemptOf(data) },
      };
    case 'run.succeeded':
      return modes.has('values')
        ? { id, event: 'values', data: valuesOf(field(data, 'output')) }
        : undefined;
    case 'run.failed':
      return { id, event: 'error', data: errorOf(field(data, 'error') as Run['error']) };
  }
  if (type === 'agent.token' && modes.has('messages-tuple')) {
    return { id, event: 'messages', data: messageChunkOf(data, stream) };
  }
  if (modes.has('custom')) {
    return { id, event: 'custom', data: { type, data } };
  }
  if (type.startsWith('agent.') && modes.has('updates')) {
    return { id, event: 'updates', data: { [stream.run.agent]: { type, data } } };
  }
  return undefined;
}

/** The `end` after a stream's last event: the run and how it ended. */
export function endEventOf(
  run: Pick<Run, 'id' | 'status' | 'error'>,
  rolledBack: boolean,
): StreamEvent {
  return {
    event: 'end',
    data: { run_id: run.id, status: rolledBack ? 'rollback' : statusOf(run) },
  };
}

/** The chat agent's streamed text as LangGraph's messages-tuple mode sends a model's tokens. */
function messageChunkOf(data: unknown, stream: StreamOf): unknown {
  const text = field(data, 'text');
  return [
    {
      type: 'AIMessageChunk',
      content: typeof text === 'string' ? text : '',
      id: `run-${stream.run.id}`,
    },
    { langgraph_node: stream.run.agent, tags: [] },
  ];
}

function attemptOf(data: unknown): { attempt?: number } {
  const attempt = field(data, 'attempt');
  return typeof attempt === 'number' ? { attempt } : {};
}

function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null
    ? (data as Record<string, unknown>)[name]
    : undefined;
}
