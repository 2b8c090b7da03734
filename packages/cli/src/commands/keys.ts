import type { Command } from 'commander';
import { adminClient } from '../clients.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext, Session } from '../session.js';
import { recordTable } from '../views/table.js';

/** `bulkhead keys create|revoke`: issue and withdraw a tenant's API keys (admin token). */
export function registerKeyCommands(program: Command, session: Session): void {
  const keys = program
    .command('keys')
    .description("issue and revoke a tenant's API keys (admin token)");
  keys
    .command('create <tenant>')
    .description('issue an API key; it is shown once, now')
    .action((tenantId: string, _flags: object, command: Command) =>
      session.run(command, (context) => createKey(context, tenantId)),
    );
  keys
    .command('revoke <tenant> <keyId>')
    .description('revoke a key at once, on HTTP and on open sockets')
    .action((tenantId: string, keyId: string, _flags: object, command: Command) =>
      session.run(command, (context) => revokeKey(context, tenantId, keyId)),
    );
}

/** The one command that prints a secret: the server keeps only a hash, so this is the only chance. */
async function createKey({ config, out }: CommandContext, tenantId: string): Promise<ExitCode> {
  const issued = await adminClient(config).keys.create(tenantId);
  out.result(issued, ({ id, key }) =>
    recordTable([
      ['tenant', tenantId],
      ['key id', id],
      ['key', key],
    ]),
  );
  out.note('Store the key now: Bulkhead keeps only its hash and cannot show it again.');
  return ExitCode.ok;
}

async function revokeKey(
  { config, out }: CommandContext,
  tenantId: string,
  keyId: string,
): Promise<ExitCode> {
  await adminClient(config).keys.revoke(tenantId, keyId);
  out.result(
    { tenantId, keyId, revoked: true },
    () => `Revoked key ${keyId} of tenant ${tenantId}.`,
  );
  return ExitCode.ok;
}
