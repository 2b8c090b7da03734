import { Command } from 'commander';
import { registerAgentCommands } from './commands/agents.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerProviderCommands } from './commands/providers.js';
import { registerRunCommands } from './commands/runs.js';
import { registerTenantCommands } from './commands/tenants.js';
import { DEFAULT_URL } from './config.js';
import type { CliStreams } from './output.js';
import type { Session } from './session.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success; with --follow, the run succeeded
  1    the server or the network answered an error; with --follow, the run failed
  2    usage error: unknown command or option, bad value, missing key or token
  3    with --follow, the run was cancelled (also after --cancel-on-interrupt)
  130  Ctrl-C while following: the run keeps running

See docs/cli.md.`;

/**
 * The `bulkhead` command tree. Commander's exits are overridden (it would exit 1 on a usage error
 * and call process.exit itself); cli.ts maps its errors to exit code 2. The global options are
 * accepted before or after the command, and every command's help lists them.
 */
export function buildProgram(session: Session, streams: CliStreams): Command {
  const program = new Command('bulkhead')
    .description(
      'Command-line tool for Bulkhead: tenants and keys (admin), agents and runs (tenant).',
    )
    .option('--url <url>', `API base URL (env BULKHEAD_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', "the tenant's API key (env BULKHEAD_API_KEY)")
    .option('--admin-token <token>', 'admin token for tenants and keys (env BULKHEAD_ADMIN_TOKEN)')
    .option('--json', 'print JSON: one document, or one event per line (NDJSON) for events')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    .addHelpText('after', EXIT_CODES_HELP);
  registerTenantCommands(program, session);
  registerKeyCommands(program, session);
  registerProviderCommands(program, session);
  registerAgentCommands(program, session);
  registerRunCommands(program, session);
  return program;
}
