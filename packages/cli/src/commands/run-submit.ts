import type { Bulkhead, RunMetadata } from '@bulkhead/client';
import type { Command } from 'commander';
import { withTenantClient } from '../clients.js';
import { ExitCode } from '../exit-codes.js';
import { followRun } from '../follow.js';
import { parseJson, parseMetadata } from '../option-parsers.js';
import type { CommandContext, Session } from '../session.js';
import { runRecord } from '../views/runs.js';
import { checkFollowFlags, withFollowOptions, type FollowFlags } from './follow-options.js';

interface SubmitFlags extends FollowFlags {
  readonly input?: unknown;
  readonly metadata?: RunMetadata;
  readonly idempotencyKey?: string;
}

export function registerSubmitCommand(runs: Command, session: Session): void {
  const submit = runs
    .command('submit <agent>')
    .description('submit a run; with --follow, print its events until it ends')
    .option('--input <json|@file>', "the agent's input, inline or read from a file", parseJson)
    .option('--metadata <json|@file>', 'a flat object kept with the run', parseMetadata)
    .option('--idempotency-key <key>', 'a retried submission with this key runs only once');
  withFollowOptions(submit).action((agent: string, flags: SubmitFlags, command: Command) =>
    session.run(command, (context) => submitRun(context, agent, flags)),
  );
}

/**
 * Submits a run. Without --follow it prints the queued run and exits 0; with it, the run's events
 * and the run's outcome as the exit code (see follow.ts). With --json --follow stdout holds only
 * NDJSON events, so a script reads the run id from their runId.
 */
async function submitRun(
  context: CommandContext,
  agent: string,
  flags: SubmitFlags,
): Promise<ExitCode> {
  checkFollowFlags(flags);
  return withTenantClient(context.config, (client) => submitWith(client, context, agent, flags));
}

async function submitWith(
  client: Bulkhead,
  { out }: CommandContext,
  agent: string,
  flags: SubmitFlags,
): Promise<ExitCode> {
  const run = await client.runs.create(
    { agent, input: flags.input, metadata: flags.metadata },
    { idempotencyKey: flags.idempotencyKey },
  );
  if (flags.follow !== true) {
    out.result(run, runRecord);
    return ExitCode.ok;
  }
  if (!out.json) {
    out.line(`submitted ${run.id} (${run.agent}, ${run.status})`);
  }
  return followRun(
    client,
    run.id,
    { after: 0, cancelOnInterrupt: flags.cancelOnInterrupt === true },
    out,
  );
}
