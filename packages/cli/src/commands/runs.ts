import type { RunStatus } from '@bulkhead/client';
import { Option, type Command } from 'commander';
import { withTenantClient } from '../clients.js';
import { ExitCode } from '../exit-codes.js';
import { parsePositiveInteger } from '../option-parsers.js';
import type { CommandContext, Session } from '../session.js';
import { runRecord, runTable } from '../views/runs.js';
import { registerEventsCommand } from './run-events.js';
import { registerSubmitCommand } from './run-submit.js';

interface ListFlags {
  /** One of statuses(): commander refuses any other value. */
  readonly status?: RunStatus;
  readonly limit?: number;
  readonly cursor?: string;
}

/** `bulkhead runs …`: a tenant's runs, authenticated by its API key. */
export function registerRunCommands(program: Command, session: Session): void {
  const runs = program.command('runs').description("submit, inspect and follow the tenant's runs");
  registerSubmitCommand(runs, session);
  runs
    .command('get <id>')
    .description('show one run')
    .action((id: string, _flags: object, command: Command) =>
      session.run(command, (context) => getRun(context, id)),
    );
  runs
    .command('list')
    .description('list runs, newest first')
    .addOption(new Option('--status <status>', 'only runs in this status').choices(statuses()))
    .option('--limit <n>', 'at most this many (1-100, default 20)', parsePositiveInteger)
    .option('--cursor <cursor>', 'the next page, as printed after the previous one')
    .action((flags: ListFlags, command: Command) =>
      session.run(command, (context) => listRuns(context, flags)),
    );
  runs
    .command('cancel <id>')
    .description('cancel a queued or running run')
    .action((id: string, _flags: object, command: Command) =>
      session.run(command, (context) => cancelRun(context, id)),
    );
  registerEventsCommand(runs, session);
}

function statuses(): RunStatus[] {
  return ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
}

async function getRun({ config, out }: CommandContext, id: string): Promise<ExitCode> {
  const run = await withTenantClient(config, (client) => client.runs.get(id));
  out.result(run, runRecord);
  return ExitCode.ok;
}

async function listRuns({ config, out }: CommandContext, flags: ListFlags): Promise<ExitCode> {
  const page = await withTenantClient(config, (client) => client.runs.list(flags));
  out.result(page, ({ items }) => runTable(items));
  if (!out.json && page.nextCursor !== null) {
    out.note(`More runs: bulkhead runs list ${nextPageFlags(flags, page.nextCursor)}`);
  }
  return ExitCode.ok;
}

/** The same filter and page size with the next cursor, so the hint can be pasted as is. */
function nextPageFlags({ status, limit }: ListFlags, cursor: string): string {
  const flags = [`--cursor ${cursor}`];
  if (status !== undefined) {
    flags.push(`--status ${status}`);
  }
  if (limit !== undefined) {
    flags.push(`--limit ${limit}`);
  }
  return flags.join(' ');
}

async function cancelRun({ config, out }: CommandContext, id: string): Promise<ExitCode> {
  const run = await withTenantClient(config, (client) => client.runs.cancel(id));
  out.result(run, runRecord);
  return ExitCode.ok;
}
