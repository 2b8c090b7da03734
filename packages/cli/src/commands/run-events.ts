import { isTerminalStatus, type Bulkhead, type RunEvent } from '@bulkhead/client';
import type { Command } from 'commander';
import { withTenantClient } from '../clients.js';
import { ExitCode, exitCodeOfStatus } from '../exit-codes.js';
import { LinePrinter } from '../events/line-printer.js';
import { followRun } from '../follow.js';
import type { Output } from '../output.js';
import { parseEventId } from '../option-parsers.js';
import type { CommandContext, Session } from '../session.js';
import { checkFollowFlags, withFollowOptions, type FollowFlags } from './follow-options.js';

interface EventsFlags extends FollowFlags {
  readonly after?: number;
}

/** The most the API answers in one page of GET /v1/runs/:id/events. */
const PAGE_SIZE = 1000;

export function registerEventsCommand(runs: Command, session: Session): void {
  const events = runs
    .command('events <id>')
    .description("print a run's stored events; with --follow, then live ones until it ends")
    .option('--after <id>', 'only events after this id (default 0: all)', parseEventId);
  withFollowOptions(events).action((id: string, flags: EventsFlags, command: Command) =>
    session.run(command, (context) => showEvents(context, id, flags)),
  );
}

/**
 * Prints a run's stored events (every page), one per line. With --follow it goes on with live
 * ones until the run ends and exits with the run's outcome, like `runs submit --follow`.
 */
async function showEvents(
  { config, out }: CommandContext,
  runId: string,
  flags: EventsFlags,
): Promise<ExitCode> {
  checkFollowFlags(flags);
  const after = flags.after ?? 0;
  return withTenantClient(config, async (client) => {
    if (flags.follow !== true) {
      return printStored(client, runId, after, out);
    }
    return followUnlessFinished(client, runId, after, flags.cancelOnInterrupt === true, out);
  });
}

/**
 * A finished run has no live events left: print what is stored and exit with its outcome. Asking
 * first also covers `--after` at or past the terminal event, which a live stream would wait on.
 */
async function followUnlessFinished(
  client: Bulkhead,
  runId: string,
  after: number,
  cancelOnInterrupt: boolean,
  out: Output,
): Promise<ExitCode> {
  const run = await client.runs.get(runId);
  if (!isTerminalStatus(run.status)) {
    return followRun(client, runId, { after, cancelOnInterrupt }, out);
  }
  await printStored(client, runId, after, out);
  return exitCodeOfStatus(run.status) ?? ExitCode.ok;
}

async function printStored(
  client: Bulkhead,
  runId: string,
  after: number,
  out: Output,
): Promise<ExitCode> {
  // History reads as a log, one line per event, on a terminal too; the bar is for live progress.
  const printer = new LinePrinter(out);
  for await (const event of storedEvents(client, runId, after)) {
    printer.show(event);
  }
  return ExitCode.ok;
}

async function* storedEvents(
  client: Bulkhead,
  runId: string,
  after: number,
): AsyncGenerator<RunEvent> {
  let cursor = after;
  for (;;) {
    const page = await client.runs.events(runId, { after: cursor, limit: PAGE_SIZE });
    yield* page;
    // A page also stops at about 1 MiB of data, so only an empty one says there is no more.
    const last = page.at(-1);
    if (last === undefined) {
      return;
    }
    cursor = last.id;
  }
}
