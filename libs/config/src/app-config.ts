import { z } from 'zod';

const milliseconds = (fallback: number) =>
  z.coerce.number().int().min(1).max(86_400_000).default(fallback);
const seconds = (fallback: number) =>
  z.coerce.number().int().min(1).max(31_536_000).default(fallback);

/** A master key for provider credentials: 32 random bytes in base64 (`openssl rand -base64 32`). */
const secretsKey = z
  .string()
  .refine((value) => isKeyOf32Bytes(value), '32 random bytes in base64 (openssl rand -base64 32)');

function isKeyOf32Bytes(value: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(value.trim()) && Buffer.from(value, 'base64').length === 32;
}

/** Every environment variable Bulkhead reads, with its default. Documented in the README table. */
export const appConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/, 'letters, digits, "-" or "_", at most 64')
    .default('bulkhead'),
  /** Required by the API (parseConfig); a worker never reads it (parseWorkerConfig). */
  BULKHEAD_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  WORKER_LOCK_MS: milliseconds(30_000),
  WORKER_STALLED_INTERVAL_MS: milliseconds(30_000),
  /** How many times a run's worker may die mid-run before BullMQ gives up and the run ends failed. */
  WORKER_MAX_STALLED_COUNT: z.coerce.number().int().min(1).max(1_000).default(20),
  /** How long a stopping worker lets in-flight runs finish before handing them to other workers. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** How long a stopping API keeps serving, with /readyz at 503, before it closes its server. */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
  RUN_RETENTION_SECONDS: seconds(7 * 24 * 3600),
  EVENTS_MAX_PER_RUN: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  SOCKET_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Live sockets one API key, and one tenant, may hold at once, counted across every API process. */
  SOCKET_MAX_PER_KEY: z.coerce.number().int().min(1).max(100_000).default(100),
  SOCKET_MAX_PER_TENANT: z.coerce.number().int().min(1).max(1_000_000).default(500),
  /**
   * Subscribes one socket may send per minute; each replays a stream, so a storm is refused. The
   * default lets one socket follow every run its tenant may submit at the default runsPerMinute.
   */
  SOCKET_SUBSCRIBES_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Bytes of events an API process holds for one socket before delivery waits for it to drain. */
  SOCKET_BUFFER_MAX_BYTES: z.coerce.number().int().min(16_384).max(67_108_864).default(1_048_576),
  /** A socket that has not drained for this long is disconnected with reason slow_consumer. */
  SOCKET_SLOW_CONSUMER_MS: milliseconds(30_000),
  /** A live subscription re-reads its stream at least this often, should a notification be lost. */
  SUBSCRIPTION_BACKSTOP_MS: milliseconds(5_000),
  /** Largest JSON of a run's input accepted at submission (metadata has its own schema bounds). */
  RUN_INPUT_MAX_BYTES: z.coerce.number().int().min(1_024).max(1_000_000).default(65_536),
  /** Largest JSON of an agent's output; a larger one fails its run. */
  RUN_OUTPUT_MAX_BYTES: z.coerce.number().int().min(1_024).max(16_777_216).default(262_144),
  /** Largest JSON of one event's data; a larger emit is rejected. */
  EVENT_MAX_BYTES: z.coerce.number().int().min(1_024).max(4_194_304).default(65_536),
  /** The longest a run may run (an agent's own timeoutMs is capped by it); then it fails timed_out. */
  RUN_MAX_DURATION_MS: milliseconds(3_600_000),
  /**
   * The share of the live fleet's worker slots one tenant may hold at once, whatever its own
   * maxConcurrentRuns: the rest stay free for other tenants' runs to start at once.
   */
  TENANT_MAX_FLEET_SHARE: z.coerce.number().gt(0).max(1).default(0.75),
  /** How often a worker renews its registration (its slots); it drops out after three missed. */
  WORKER_HEARTBEAT_MS: milliseconds(5_000),
  /** Limits of a tenant whose own limits (admin API) leave them unset. */
  TENANT_MAX_CONCURRENT_RUNS: z.coerce.number().int().min(1).max(10_000).default(10),
  TENANT_MAX_QUEUED_RUNS: z.coerce.number().int().min(1).max(100_000).default(10_000),
  TENANT_RUNS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Default maxStoredRuns: runs (finished or not) a tenant keeps; beyond it a submission gets 429. */
  TENANT_MAX_STORED_RUNS: z.coerce.number().int().min(1).max(100_000).default(10_000),
  /** Default maxTokensPerDay: LLM tokens (input and output) a tenant may use per UTC day; 0: no limit. */
  TENANT_MAX_TOKENS_PER_DAY: z.coerce.number().int().min(0).max(1_000_000_000_000).default(0),
  /**
   * A run parked because its tenant was at maxConcurrentRuns is woken when one of the tenant's runs
   * ends; this is the backstop after which it looks again by itself, should that wake-up be lost.
   */
  PARKED_RUN_RECHECK_MS: milliseconds(60_000),
  /**
   * Encrypts tenants' provider keys at rest (AES-256-GCM). Unset, the providers routes answer 503
   * and nothing secret can be stored. Rotating: set the new key here and the old one in
   * BULKHEAD_SECRETS_PREVIOUS_KEYS, run `npm run secrets:reencrypt`, then drop the old key.
   */
  BULKHEAD_SECRETS_KEY: secretsKey.optional(),
  /** The longest one LLM call may take on one provider before it moves to the next (a timeout). */
  LLM_CALL_TIMEOUT_MS: milliseconds(60_000),
  /** How long a provider's opened breaker keeps calls away before one trial call may test it. */
  LLM_BREAKER_OPEN_MS: milliseconds(30_000),
  /** Former master keys, comma-separated: still read, never written with. */
  BULKHEAD_SECRETS_PREVIOUS_KEYS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .pipe(z.array(secretsKey).max(8)),
  /** LangGraph API (/lg): streams, joins and waits one API process holds open per tenant, and in all. */
  LG_MAX_STREAMS_PER_TENANT: z.coerce.number().int().min(1).max(100_000).default(100),
  LG_MAX_STREAMS: z.coerce.number().int().min(1).max(1_000_000).default(2_000),
  /** The longest an /lg stream, join or wait stays silent: a heartbeat then (the SDK expects ≤ 5 s). */
  LG_HEARTBEAT_MS: z.coerce.number().int().min(100).max(5_000).default(5_000),
  /** Origins a browser may call /lg from, comma-separated, or * for any (keys travel in headers, never cookies). */
  LG_CORS_ORIGINS: z
    .string()
    .default('*')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  /** A worker's metrics listener (GET /metrics): its port, 0 = none; and the address it binds. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Tenants that keep their own `tenant` label in the metrics (the most active); the rest are `other`. */
  METRICS_TENANT_LABELS: z.coerce.number().int().min(1).max(1_000).default(20),
  /** Who may read the API's GET /metrics: `admin-token` (Bearer BULKHEAD_ADMIN_TOKEN) or `localhost` (no token, from 127.0.0.1 or ::1 only). */
  METRICS_AUTH: z.enum(['admin-token', 'localhost']).default('admin-token'),
  /** Answer diagnostics requests (heap, live registries, rooms) from a parent process over IPC. */
  BULKHEAD_DIAGNOSTICS_IPC: z.stringbool().default(false),
  /** Offer the test agents probe and failing (test suites only; never in production). */
  BULKHEAD_TEST_AGENTS: z.stringbool().default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AppConfig = Readonly<z.infer<typeof appConfigSchema>>;

/** A problem the person starting the process can fix from its message alone: printed without a stack. */
export class StartupError extends Error {}

export class InvalidConfigError extends StartupError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
  }
}

const apiConfigSchema = appConfigSchema.extend({
  BULKHEAD_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters'),
});

/** A configuration whose admin token is known to be set: what the API runs with. */
export type ApiConfig = AppConfig & { readonly BULKHEAD_ADMIN_TOKEN: string };

/** Parses an API's environment once; throws InvalidConfigError with one line per bad variable. */
export function parseConfig(env: Record<string, string | undefined>): ApiConfig {
  return parseWith(apiConfigSchema, env);
}

/** A worker's: the same variables and checks, but it has no admin routes and needs no admin token. */
export function parseWorkerConfig(env: Record<string, string | undefined>): AppConfig {
  return parseWith(appConfigSchema, env);
}

/**
 * A worker's configuration from this process's environment, where `overrides` (startWorker's
 * options, as the variables they stand for) win over it; undefined overrides are ignored.
 */
export function readWorkerConfig(
  overrides: Readonly<Record<string, string | undefined>> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): AppConfig {
  const given = Object.entries(overrides).filter(([, value]) => value !== undefined);
  return parseWorkerConfig({ ...env, ...Object.fromEntries(given) });
}

function parseWith<Schema extends z.ZodType<AppConfig>>(
  schema: Schema,
  env: Record<string, string | undefined>,
): Readonly<z.output<Schema>> {
  const result = schema.safeParse(env);
  if (result.success) {
    return Object.freeze(result.data);
  }
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join('.')}: ${issue.message}`,
  );
  throw new InvalidConfigError(problems);
}
