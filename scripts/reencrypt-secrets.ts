import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, StartupError, bootOrExit, readWorkerConfig } from '@bulkhead/config';
import { TenantId } from '@bulkhead/context';
import { PlatformModule } from '@bulkhead/platform';
import { SecretBox, SecretsModule, UnreadableSecretError } from '@bulkhead/secrets';
import { ProviderCredentials, providerKeyContext } from '@bulkhead/store';

interface Tally {
  resealed: number;
  current: number;
  changed: number;
  unreadable: number;
}

/**
 * `npm run secrets:reencrypt`: seals every tenant's provider keys again with BULKHEAD_SECRETS_KEY,
 * opening each with whichever configured key sealed it (the current one or one of
 * BULKHEAD_SECRETS_PREVIOUS_KEYS). Run it after setting a new key, with the old one among the
 * previous keys; once it reports nothing unreadable, the old key can be dropped. Safe to run again,
 * and while the platform runs: a provider written meanwhile is already sealed with the new key.
 * Prints one line per key it cannot open (tenant and provider, never the key) and a summary;
 * exits 1 if any was unreadable.
 */
async function reencrypt(): Promise<void> {
  const config = readWorkerConfig();
  @Module({ imports: [ConfigModule.withConfig(config), PlatformModule, SecretsModule] })
  class ReencryptModule {}
  const app = await NestFactory.createApplicationContext(ReencryptModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    const tally = await resealAll(app.get(ProviderCredentials), app.get(SecretBox));
    process.stdout.write(`${JSON.stringify({ msg: 'secrets.reencrypted', ...tally })}\n`);
    process.exitCode = tally.unreadable > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}

async function resealAll(providers: ProviderCredentials, box: SecretBox): Promise<Tally> {
  const current = box.currentKeyId;
  if (current === undefined) {
    throw new StartupError(
      'Set BULKHEAD_SECRETS_KEY to the key to seal with, and the old key in BULKHEAD_SECRETS_PREVIOUS_KEYS.',
    );
  }
  const tally: Tally = { resealed: 0, current: 0, changed: 0, unreadable: 0 };
  for await (const tenantId of providers.tenantsWithProviders()) {
    for (const { name } of await providers.list(tenantId)) {
      await resealOne(providers, box, tenantId, name, tally);
    }
  }
  return tally;
}

async function resealOne(
  providers: ProviderCredentials,
  box: SecretBox,
  tenantId: TenantId,
  name: string,
  tally: Tally,
): Promise<void> {
  const context = providerKeyContext(tenantId, name);
  try {
    const outcome = await providers.reseal(tenantId, name, (sealed) =>
      box.keyIdOf(sealed) === box.currentKeyId
        ? undefined
        : box.seal(box.open(sealed, context), context),
    );
    if (outcome === 'resealed') {
      tally.resealed += 1;
    } else if (outcome === 'kept') {
      tally.current += 1;
    } else {
      tally.changed += 1;
    }
  } catch (error) {
    if (!(error instanceof UnreadableSecretError)) {
      throw error;
    }
    tally.unreadable += 1;
    process.stdout.write(
      `${JSON.stringify({ msg: 'secrets.unreadable', tenantId, provider: name, reason: error.message })}\n`,
    );
  }
}

void bootOrExit(reencrypt);
