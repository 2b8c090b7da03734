import type { Bulkhead } from '@bulkhead/client';
import { eventPrinterFor } from './events/printer-for.js';
import { ExitCode, exitCodeOfTerminalEvent } from './exit-codes.js';
import { watchInterrupt } from './interrupt.js';
import type { Output } from './output.js';

export interface FollowOptions {
  /** The last event id already seen; the stream starts after it (0: from the first event). */
  readonly after: number;
  /** Ctrl-C cancels the run instead of leaving it running. */
  readonly cancelOnInterrupt: boolean;
}

type Outcome =
  | { readonly kind: 'finished'; readonly code: ExitCode }
  | { readonly kind: 'interrupted'; readonly lastId: number }
  | { readonly kind: 'ended'; readonly lastId: number };

/**
 * Prints a run's events live until its terminal event and answers the run's exit code (0
 * succeeded, 1 failed, 3 cancelled). Ctrl-C stops following but leaves the run running, and says
 * how to pick it up again (130); with cancelOnInterrupt it cancels the run (3).
 */
export async function followRun(
  client: Bulkhead,
  runId: string,
  options: FollowOptions,
  out: Output,
): Promise<ExitCode> {
  const outcome = await streamEvents(client, runId, options.after, out);
  if (outcome.kind === 'finished') {
    return outcome.code;
  }
  if (outcome.kind === 'ended') {
    throw new Error(followAgainHint(runId, outcome.lastId, 'ended'));
  }
  if (options.cancelOnInterrupt) {
    return cancelAfterInterrupt(client, runId, out);
  }
  out.note(followAgainHint(runId, outcome.lastId, 'interrupted'));
  return ExitCode.interrupted;
}

async function streamEvents(
  client: Bulkhead,
  runId: string,
  after: number,
  out: Output,
): Promise<Outcome> {
  const interrupt = watchInterrupt();
  const printer = eventPrinterFor(out);
  let lastId = after;
  try {
    for await (const event of client.runs.stream(runId, { after, signal: interrupt.signal })) {
      printer.show(event);
      lastId = event.id;
      const code = exitCodeOfTerminalEvent(event.type);
      if (code !== undefined) {
        return { kind: 'finished', code };
      }
    }
  } catch (error) {
    // An aborted stream may end by throwing its AbortError; that is the interruption, not a fault.
    if (!interrupt.signal.aborted) {
      throw error;
    }
  } finally {
    printer.close();
    interrupt.dispose();
  }
  return interrupt.signal.aborted ? { kind: 'interrupted', lastId } : { kind: 'ended', lastId };
}

async function cancelAfterInterrupt(
  client: Bulkhead,
  runId: string,
  out: Output,
): Promise<ExitCode> {
  await client.runs.cancel(runId);
  out.note(`Interrupted: cancelled run ${runId} (--cancel-on-interrupt).`);
  return ExitCode.cancelled;
}

function followAgainHint(runId: string, lastId: number, why: 'interrupted' | 'ended'): string {
  const what =
    why === 'interrupted'
      ? `Interrupted: run ${runId} keeps running.`
      : `The event stream of run ${runId} ended before the run finished.`;
  return `${what} Follow it again with: bulkhead runs events ${runId} --after ${lastId} --follow`;
}
