import { Option, type Command } from 'commander';
import { adminClient } from '../clients.js';
import { ExitCode } from '../exit-codes.js';
import { parseLimit, parsePositiveInteger } from '../option-parsers.js';
import type { CommandContext, Session } from '../session.js';
import { UsageError } from '../usage-error.js';
import { tenantRecord } from '../views/tenants.js';

/** The five limits: a number sets one; on `tenants limits`, `default` returns it to the default. */
interface Limits<T> {
  readonly maxConcurrentRuns?: T;
  readonly maxQueuedRuns?: T;
  readonly runsPerMinute?: T;
  readonly maxStoredRuns?: T;
  readonly maxTokensPerDay?: T;
}

interface CreateFlags extends Limits<number> {
  readonly name?: string;
}

/** `bulkhead tenants create|get|agents|limits`: the operator's side, authenticated by the admin token. */
export function registerTenantCommands(program: Command, session: Session): void {
  const tenants = program
    .command('tenants')
    .description('create and inspect tenants (admin token)');
  withLimitOptions(tenants.command('create <id>'), parsePositiveInteger, 'n')
    .description('create a tenant, optionally with limits of its own')
    .option('--name <name>', 'display name (default: the id)')
    .action((id: string, flags: CreateFlags, command: Command) =>
      session.run(command, (context) => createTenant(context, id, flags)),
    );
  tenants
    .command('get <id>')
    .description("show a tenant's limits in force and its live usage")
    .action((id: string, _flags: object, command: Command) =>
      session.run(command, (context) => getTenant(context, id)),
    );
  tenants
    .command('agents <id> [names...]')
    .description('set the agents a tenant may use; --all lets it use every agent')
    .option('--all', 'every agent, present and future (the default for a new tenant)')
    .action((id: string, names: string[], flags: { all?: boolean }, command: Command) =>
      session.run(command, (context) => updateAgents(context, id, names, flags.all === true)),
    );
  withLimitOptions(tenants.command('limits <id>'), parseLimit, 'n|default')
    .description("change a tenant's limits; `default` returns one to the platform default")
    .action((id: string, flags: Limits<number | 'default'>, command: Command) =>
      session.run(command, (context) => updateLimits(context, id, flags)),
    );
}

function withLimitOptions(
  command: Command,
  parse: (value: string) => number | 'default',
  placeholder: string,
): Command {
  const limit = (flag: string, description: string) =>
    new Option(`${flag} <${placeholder}>`, description).argParser(parse);
  return command
    .addOption(limit('--max-concurrent-runs', "the tenant's runs running at once"))
    .addOption(limit('--max-queued-runs', 'queued runs before a submission gets 429'))
    .addOption(limit('--runs-per-minute', 'submissions accepted per minute'))
    .addOption(
      limit('--max-stored-runs', 'runs kept, finished or not, before a submission gets 429'),
    )
    .addOption(
      new Option(
        `--max-tokens-per-day <${placeholder}>`,
        'LLM tokens per UTC day before ctx.llm calls fail (0: none, whatever the default)',
      ).argParser((value) => (value === '0' ? 0 : parse(value))),
    );
}

async function createTenant(
  { config, out }: CommandContext,
  id: string,
  flags: CreateFlags,
): Promise<ExitCode> {
  const limits = limitsOf(flags);
  const tenant = await adminClient(config).tenants.create({
    id,
    name: flags.name,
    limits: isEmpty(limits) ? undefined : limits,
  });
  out.result(tenant, tenantRecord);
  return ExitCode.ok;
}

async function getTenant({ config, out }: CommandContext, id: string): Promise<ExitCode> {
  out.result(await adminClient(config).tenants.get(id), tenantRecord);
  return ExitCode.ok;
}

async function updateLimits(
  { config, out }: CommandContext,
  id: string,
  flags: Limits<number | 'default'>,
): Promise<ExitCode> {
  const limits = limitsOf(flags);
  if (isEmpty(limits)) {
    throw new UsageError(
      'Nothing to change: pass --max-concurrent-runs, --max-queued-runs, --runs-per-minute, --max-stored-runs or --max-tokens-per-day.',
    );
  }
  const changes = {
    maxConcurrentRuns: resetAsNull(limits.maxConcurrentRuns),
    maxQueuedRuns: resetAsNull(limits.maxQueuedRuns),
    runsPerMinute: resetAsNull(limits.runsPerMinute),
    maxStoredRuns: resetAsNull(limits.maxStoredRuns),
    maxTokensPerDay: resetAsNull(limits.maxTokensPerDay),
  };
  out.result(await adminClient(config).tenants.updateLimits(id, changes), tenantRecord);
  return ExitCode.ok;
}

async function updateAgents(
  { config, out }: CommandContext,
  id: string,
  names: readonly string[],
  all: boolean,
): Promise<ExitCode> {
  if (all === names.length > 0) {
    throw new UsageError('Name the agents the tenant may use, or pass --all (not both).');
  }
  const agents = all ? null : [...names];
  out.result(await adminClient(config).tenants.update(id, { agents }), tenantRecord);
  return ExitCode.ok;
}

/** Only the limit fields of the flags; an absent one is undefined and left out of the JSON body. */
function limitsOf<T>(flags: Limits<T>): Limits<T> {
  const { maxConcurrentRuns, maxQueuedRuns, runsPerMinute, maxStoredRuns, maxTokensPerDay } = flags;
  return { maxConcurrentRuns, maxQueuedRuns, runsPerMinute, maxStoredRuns, maxTokensPerDay };
}

/** The API's way to say "back to the default" is null. */
function resetAsNull(value: number | 'default' | undefined): number | null | undefined {
  return value === 'default' ? null : value;
}

function isEmpty<T>(limits: Limits<T>): boolean {
  return Object.values(limits).every((value) => value === undefined);
}
