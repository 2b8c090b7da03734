/** The objects of the Bulkhead v1 API, exactly as the server sends them as JSON (docs/api.md, "Objects"). */

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** What a submission may attach to a run: up to 32 keys of strings, numbers, booleans or null. */
export type RunMetadata = Record<string, string | number | boolean | null>;

export interface Run {
  id: string;
  tenantId: string;
  agent: string;
  status: RunStatus;
  /** The input as validated, with the agent's defaults applied. */
  input: unknown;
  /** Once succeeded. */
  output?: unknown;
  /**
   * Once failed; never a stack trace. `code` is set when the platform ended it (timed_out, …) or
   * one of its own errors failed it (no_provider_available, token_budget_exhausted, …).
   */
  error?: { message: string; code?: string };
  /** How many times execution started (retries and crash recovery count). */
  attempts: number;
  metadata?: RunMetadata;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Set when a running run was asked to cancel. */
  cancelRequestedAt?: string;
  /** The LLM tokens its agent used over all its attempts; absent until its first call. */
  usage?: RunUsage;
}

/** Tokens as providers reported them: totals, and by provider and model (the rest under "(other)"). */
export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  calls: number;
  byModel: {
    provider: string;
    model: string;
    inputTokens: number;
    outputTokens: number;
    calls: number;
  }[];
}

/** What a list page shows of a run: everything but its input, output and usage. */
export type RunSummary = Omit<Run, 'input' | 'output' | 'usage'>;

/** One page of GET /v1/runs; pass `nextCursor` back as `cursor` (null on the last page). */
export interface RunPage {
  items: RunSummary[];
  nextCursor: string | null;
}

/** An event of a run's log; `id` is 1, 2, 3 … within a run. */
export interface RunEvent {
  id: number;
  runId: string;
  type: string;
  data: unknown;
  ts: string;
}

export interface Agent {
  name: string;
  description: string;
  /** The JSON Schema of the agent's `input`. */
  inputSchema: Record<string, unknown>;
  /** The version registered last, whose description and input schema these are. */
  version: string;
  /** Live worker processes serving the agent now; with 0, its runs are accepted and wait for one. */
  workers: number;
  /** The versions live workers serve, with how many serve each: more than one while a deploy rolls. */
  versions: AgentVersion[];
}

export interface AgentVersion {
  version: string;
  workers: number;
}

export interface TenantLimits {
  maxConcurrentRuns: number;
  maxQueuedRuns: number;
  runsPerMinute: number;
  maxStoredRuns: number;
  /** LLM tokens (input and output) per UTC day; null: no limit. */
  maxTokensPerDay: number | null;
}

/** A tenant's LLM tokens on one UTC day. */
export interface DailyTokens {
  /** YYYY-MM-DD. */
  day: string;
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
  /** The agents the tenant may use, by name; null: every agent. */
  agents: string[] | null;
  /** The limits in force: the tenant's own or the configured defaults. */
  limits: TenantLimits;
  /**
   * Live, across every process; `stored` counts the runs kept, finished or not; `tokensByDay` is
   * today first, then each of the last 7 days that had calls, newest first.
   */
  usage: { queued: number; running: number; stored: number; tokensByDay: DailyTokens[] };
}

export type ProviderType = 'openai-compatible' | 'anthropic';

/** An LLM provider of a tenant as the admin API shows it: never its key. */
export interface Provider {
  name: string;
  type: ProviderType;
  baseUrl: string;
  /** The models it serves; empty: whatever a call asks for. */
  models: string[];
  /** Lower first: calls try providers in this order. */
  priority: number;
  enabled: boolean;
  /** The key's last 4 characters (empty for a key under 8). */
  keyHint: string;
  updatedAt: string;
  /** Live, shared by every worker; `until` for open and rate_limited. */
  health: { state: 'healthy' | 'open' | 'half_open' | 'rate_limited' | 'disabled'; until?: string };
}

/** An API key as issued: `key` is shown only in this answer. */
export interface IssuedKey {
  id: string;
  key: string;
}

/** The body of POST /v1/runs. */
export interface CreateRunBody {
  agent: string;
  input?: unknown;
  metadata?: RunMetadata;
}

/** True for the statuses a run never leaves: succeeded, failed and cancelled. */
export function isTerminalStatus(status: RunStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

/** Every run has exactly one of these events, and it is the run's last. */
export function isTerminalEvent(event: RunEvent): boolean {
  return (
    event.type === 'run.succeeded' || event.type === 'run.failed' || event.type === 'run.cancelled'
  );
}
