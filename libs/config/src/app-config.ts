import { z } from 'zod';

const milliseconds = (fallback: number) =>
  z.coerce.number().int().min(1).max(86_400_000).default(fallback);
const seconds = (fallback: number) =>
  z.coerce.number().int().min(1).max(31_536_000).default(fallback);

/** Every environment variable Bulkhead reads, with its default. Documented in the README table. */
export const appConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/, 'letters, digits, "-" or "_", at most 64')
    .default('bulkhead'),
  BULKHEAD_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters'),
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
  /** Limits of a tenant whose own limits (admin API) leave them unset. */
  TENANT_MAX_CONCURRENT_RUNS: z.coerce.number().int().min(1).max(10_000).default(10),
  TENANT_MAX_QUEUED_RUNS: z.coerce.number().int().min(1).max(100_000).default(10_000),
  TENANT_RUNS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /**
   * A run parked because its tenant was at maxConcurrentRuns is woken when one of the tenant's runs
   * ends; this is the backstop after which it looks again by itself, should that wake-up be lost.
   */
  PARKED_RUN_RECHECK_MS: milliseconds(60_000),
  /** Answer diagnostics requests (heap, live registries, rooms) from a parent process over IPC. */
  BULKHEAD_DIAGNOSTICS_IPC: z.stringbool().default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AppConfig = Readonly<z.infer<typeof appConfigSchema>>;

export class InvalidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
  }
}

/** Parses an environment once; throws InvalidConfigError with one line per bad variable. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const result = appConfigSchema.safeParse(env);
  if (result.success) return Object.freeze(result.data);
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join('.')}: ${issue.message}`,
  );
  throw new InvalidConfigError(problems);
}
