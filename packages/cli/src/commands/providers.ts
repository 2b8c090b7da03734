import type { ProviderType } from '@bulkhead/client';
import { Option, type Command } from 'commander';
import { adminClient } from '../clients.js';
import type { CliConfig } from '../config.js';
import { ExitCode } from '../exit-codes.js';
import { parsePriority } from '../option-parsers.js';
import type { CommandContext, Session } from '../session.js';
import { UsageError } from '../usage-error.js';
import { providerTable } from '../views/providers.js';

const PROVIDER_TYPES: readonly ProviderType[] = Object.freeze(['openai-compatible', 'anthropic']);

interface SetFlags {
  readonly type: ProviderType;
  readonly baseUrl: string;
  readonly model?: string[];
  readonly priority?: number;
  readonly disabled?: boolean;
}

/** `bulkhead providers set|list|remove`: a tenant's LLM providers (admin token). */
export function registerProviderCommands(program: Command, session: Session): void {
  const providers = program
    .command('providers')
    .description("add, list and remove a tenant's LLM providers (admin token)");
  providers
    .command('set <tenant> <name>')
    .description(
      'add or replace a provider; its key is read from BULKHEAD_PROVIDER_API_KEY, never from the command line',
    )
    .addOption(
      new Option('--type <type>', "the provider's protocol")
        .choices(PROVIDER_TYPES)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--base-url <url>', 'e.g. https://api.openai.com/v1').makeOptionMandatory(),
    )
    .option('--model <model...>', 'the models it serves (default: whatever a call asks for)')
    .option(
      '--priority <n>',
      'lower first: calls try providers in this order (default 100)',
      parsePriority,
    )
    .option('--disabled', 'store it switched off')
    .action((tenantId: string, name: string, flags: SetFlags, command: Command) =>
      session.run(command, (context) => setProvider(context, tenantId, name, flags)),
    );
  providers
    .command('list <tenant>')
    .description("a tenant's providers in the order calls try them, with their live health")
    .action((tenantId: string, _flags: object, command: Command) =>
      session.run(command, (context) => listProviders(context, tenantId)),
    );
  providers
    .command('remove <tenant> <name>')
    .description('remove a provider; calls stop using it at once')
    .action((tenantId: string, name: string, _flags: object, command: Command) =>
      session.run(command, (context) => removeProvider(context, tenantId, name)),
    );
}

async function setProvider(
  { config, out }: CommandContext,
  tenantId: string,
  name: string,
  flags: SetFlags,
): Promise<ExitCode> {
  const provider = await adminClient(config).providers.put(tenantId, name, {
    type: flags.type,
    baseUrl: flags.baseUrl,
    apiKey: requireProviderKey(config),
    models: flags.model,
    priority: flags.priority,
    enabled: flags.disabled !== true,
  });
  out.result(provider, (shown) => providerTable([shown]));
  return ExitCode.ok;
}

async function listProviders({ config, out }: CommandContext, tenantId: string): Promise<ExitCode> {
  out.result(await adminClient(config).providers.list(tenantId), providerTable);
  return ExitCode.ok;
}

async function removeProvider(
  { config, out }: CommandContext,
  tenantId: string,
  name: string,
): Promise<ExitCode> {
  await adminClient(config).providers.remove(tenantId, name);
  out.result(
    { tenantId, name, removed: true },
    () => `Removed provider ${name} of tenant ${tenantId}.`,
  );
  return ExitCode.ok;
}

function requireProviderKey(config: CliConfig): string {
  if (config.providerApiKey !== undefined) {
    return config.providerApiKey;
  }
  throw new UsageError(
    "Set BULKHEAD_PROVIDER_API_KEY to the provider's key (read from the environment only, so it never shows in the process list or shell history).",
  );
}
