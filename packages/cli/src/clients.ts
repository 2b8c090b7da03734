import { Bulkhead, BulkheadAdmin } from '@bulkhead/client';
import { requireAdminToken, requireApiKey, type CliConfig } from './config.js';

/**
 * Runs `use` with a tenant client and closes it after, so a live event socket never keeps the
 * process alive. Throws UsageError before any request when no API key is configured.
 */
export async function withTenantClient<T>(
  config: CliConfig,
  use: (client: Bulkhead) => Promise<T>,
): Promise<T> {
  const client = new Bulkhead({ baseUrl: config.baseUrl, apiKey: requireApiKey(config) });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** An admin client (plain HTTP, nothing to close); UsageError when no admin token is configured. */
export function adminClient(config: CliConfig): BulkheadAdmin {
  return new BulkheadAdmin({ baseUrl: config.baseUrl, adminToken: requireAdminToken(config) });
}
