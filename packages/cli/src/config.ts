import { UsageError } from './usage-error.js';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** The global flags as commander parsed them; every one is optional. */
export interface GlobalFlags {
  readonly url?: string;
  readonly key?: string;
  readonly adminToken?: string;
  readonly json?: boolean;
}

export interface CliConfig {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly adminToken: string | undefined;
  /** BULKHEAD_PROVIDER_API_KEY: an LLM provider's key, for `providers set`; never a flag, so never in argv. */
  readonly providerApiKey: string | undefined;
  readonly json: boolean;
}

/**
 * The configuration of one invocation: each flag wins over its environment variable. This is the
 * only place `bulkhead` reads the environment, so `--help` and docs/cli.md can name every variable.
 * Throws UsageError for a URL that does not parse.
 */
export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): CliConfig {
  const baseUrl = nonEmpty(flags.url) ?? nonEmpty(env.BULKHEAD_URL) ?? DEFAULT_URL;
  if (!URL.canParse(baseUrl)) {
    throw new UsageError(`--url / BULKHEAD_URL is not a URL: ${baseUrl}`);
  }
  return {
    baseUrl,
    apiKey: nonEmpty(flags.key) ?? nonEmpty(env.BULKHEAD_API_KEY),
    adminToken: nonEmpty(flags.adminToken) ?? nonEmpty(env.BULKHEAD_ADMIN_TOKEN),
    providerApiKey: nonEmpty(env.BULKHEAD_PROVIDER_API_KEY),
    json: flags.json === true,
  };
}

/** The tenant's API key, or a UsageError naming the flag and the variable that provide it. */
export function requireApiKey(config: CliConfig): string {
  if (config.apiKey !== undefined) {
    return config.apiKey;
  }
  throw new UsageError('This command needs an API key: pass --key <key> or set BULKHEAD_API_KEY.');
}

/** The operator's admin token, or a UsageError naming the flag and the variable that provide it. */
export function requireAdminToken(config: CliConfig): string {
  if (config.adminToken !== undefined) {
    return config.adminToken;
  }
  throw new UsageError(
    'This command needs the admin token: pass --admin-token <token> or set BULKHEAD_ADMIN_TOKEN.',
  );
}

/** An empty variable (`BULKHEAD_API_KEY= bulkhead …`) counts as unset, as shells users expect. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
