import { BulkheadError } from './errors.js';
import { Run, RunEvent, isTerminalEvent, isTerminalStatus } from './types.js';

export interface WaitOptions {
  readonly signal?: AbortSignal | undefined;
  /** Give up after this long with a BulkheadError `timeout`; the run itself goes on. */
  readonly timeoutMs?: number | undefined;
}

/** What waiting needs of the runs API, each honouring the given signal. */
export interface RunWatch {
  fetch(signal: AbortSignal): Promise<Run>;
  stream(signal: AbortSignal): AsyncIterableIterator<RunEvent>;
}

/**
 * Resolves with the run once finished: answered from one GET when it already is, else after its
 * terminal event arrives on the stream (then read again, so the Run carries output or error).
 * Rejects with a BulkheadError `timeout` after `timeoutMs`, with the signal's reason when aborted.
 */
export async function waitForRun(
  runId: string,
  watch: RunWatch,
  options: WaitOptions,
): Promise<Run> {
  options.signal?.throwIfAborted();
  const deadline = linkedAbort(runId, options);
  try {
    const run = await watch.fetch(deadline.signal);
    if (isTerminalStatus(run.status)) {
      return run;
    }
    for await (const event of watch.stream(deadline.signal)) {
      if (isTerminalEvent(event)) {
        break;
      }
    }
    return await watch.fetch(deadline.signal);
  } finally {
    deadline.dispose();
  }
}

interface LinkedAbort {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** One signal that aborts with the caller's reason, or with a `timeout` error after timeoutMs. */
function linkedAbort(runId: string, options: WaitOptions): LinkedAbort {
  const controller = new AbortController();
  const outer = options.signal;
  const forward = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', forward, { once: true });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(timeoutError(runId, options.timeoutMs)),
          options.timeoutMs,
        );
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    },
  };
}

function timeoutError(runId: string, timeoutMs: number | undefined): BulkheadError {
  return new BulkheadError({
    code: 'timeout',
    message: `Run ${runId} did not finish within ${timeoutMs} ms; it goes on running.`,
  });
}
