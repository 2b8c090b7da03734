import { DomainError, ErrorDetail } from './domain-error';

/** An answer names at most this many fields, each in at most DETAIL_MAX_CHARS: a few KiB whatever was sent. */
export const MAX_ERROR_DETAILS = 20;
const DETAIL_MAX_CHARS = 200;

export class ValidationError extends DomainError {
  readonly code = 'invalid_request';
  readonly kind = 'validation';
  override readonly details: readonly ErrorDetail[];

  constructor(details: readonly ErrorDetail[]) {
    const shown = details.slice(0, MAX_ERROR_DETAILS).map(clipped);
    const more = details.length - shown.length;
    const listed = shown.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    super(more > 0 ? `${listed}; and ${more} more problems` : listed);
    this.details = shown;
  }
}

function clipped(detail: ErrorDetail): ErrorDetail {
  const clip = (text: string) =>
    text.length > DETAIL_MAX_CHARS ? `${text.slice(0, DETAIL_MAX_CHARS)}…` : text;
  return { path: clip(detail.path), message: clip(detail.message) };
}

export class InputTooLargeError extends DomainError {
  readonly code = 'input_too_large';
  readonly kind = 'too_large';

  constructor(limit: number) {
    super(
      `The run's input is over ${limit} bytes of JSON (RUN_INPUT_MAX_BYTES); send a smaller one, or pass large data by reference.`,
    );
  }
}

export class StorageQuotaError extends DomainError {
  readonly code = 'storage_quota';
  readonly kind = 'limit';

  constructor(readonly limit: number) {
    super(
      `maxStoredRuns: this tenant already keeps ${limit} runs, its quota; they free up as finished runs pass their retention (RUN_RETENTION_SECONDS), or raise maxStoredRuns.`,
    );
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
  readonly kind = 'unauthorized';

  constructor(
    message = 'Send "Authorization: Bearer <api key>" with a key that has not been revoked.',
  ) {
    super(message);
  }
}

export class RunNotFoundError extends DomainError {
  readonly code = 'run_not_found';
  readonly kind = 'not_found';

  constructor(runId: string) {
    super(`Run ${runId} does not exist. Check the id returned by POST /v1/runs.`);
  }
}

/** The Agent Protocol's assistant: a missing agent, or one the tenant may not use, alike. */
export class AssistantNotFoundError extends DomainError {
  readonly code = 'assistant_not_found';
  readonly kind = 'not_found';

  constructor(assistantId: string) {
    super(
      `Assistant ${assistantId} does not exist: use an agent's name or its assistant_id from POST /lg/assistants/search.`,
    );
  }
}

/** A thread of the LangGraph API: missing, or another tenant's, alike. */
export class ThreadNotFoundError extends DomainError {
  readonly code = 'thread_not_found';
  readonly kind = 'not_found';

  constructor(threadId: string) {
    super(`Thread ${threadId} does not exist. Create it with POST /lg/threads.`);
  }
}

export class ThreadExistsError extends DomainError {
  readonly code = 'thread_exists';
  readonly kind = 'conflict';

  constructor(threadId: string) {
    super(
      `Thread ${threadId} exists already: use another thread_id, or if_exists "do_nothing" to get it.`,
    );
  }
}

export class TooManyThreadsError extends DomainError {
  readonly code = 'too_many_threads';
  readonly kind = 'limit';

  constructor(max: number) {
    super(`A tenant holds at most ${max} threads: delete some (DELETE /lg/threads/:id) first.`);
  }
}

/** A run of the LangGraph API, looked up on a thread: missing, another tenant's, or rolled back, alike. */
export class ThreadRunNotFoundError extends DomainError {
  readonly code = 'run_not_found';
  readonly kind = 'not_found';

  constructor(threadId: string, runId: string) {
    super(
      `Run ${runId} of thread ${threadId} does not exist. Check the ids returned when the run was created.`,
    );
  }
}

/** multitask_strategy "reject" while a run of the thread is pending or running. */
export class ThreadBusyError extends DomainError {
  readonly code = 'thread_busy';
  readonly kind = 'conflict';

  constructor(threadId: string) {
    super(
      `Thread ${threadId} already has a run pending or running: wait for it, or create the run with multitask_strategy "enqueue", "interrupt" or "rollback".`,
    );
  }
}

export class ThreadQueueFullError extends DomainError {
  readonly code = 'thread_queue_full';
  readonly kind = 'limit';

  constructor(threadId: string, max: number) {
    super(
      `Thread ${threadId} already has ${max} runs waiting, its limit: wait for some to run, or use another thread.`,
    );
  }
}

/** An API process holds a bounded number of LangGraph streams (and waits), per tenant and in all. */
export class TooManyStreamsError extends DomainError {
  readonly code = 'too_many_streams';
  readonly kind = 'limit';

  constructor(max: number, scope: 'tenant' | 'process') {
    super(
      scope === 'tenant'
        ? `This tenant already has ${max} streams, joins and waits open on this API process, its limit: close some first.`
        : `This API process already serves ${max} streams, joins and waits: try again shortly.`,
    );
  }
}

export class TenantNotFoundError extends DomainError {
  readonly code = 'tenant_not_found';
  readonly kind = 'not_found';

  constructor(tenantId: string) {
    super(`Tenant ${tenantId} does not exist. Create it with POST /v1/admin/tenants.`);
  }
}

export class ApiKeyNotFoundError extends DomainError {
  readonly code = 'api_key_not_found';
  readonly kind = 'not_found';

  constructor(keyId: string) {
    super(`API key ${keyId} does not exist for this tenant, or was already revoked.`);
  }
}

export class TenantExistsError extends DomainError {
  readonly code = 'tenant_exists';
  readonly kind = 'conflict';

  constructor(tenantId: string) {
    super(`Tenant ${tenantId} already exists. Choose another id.`);
  }
}

export class RunFinishedError extends DomainError {
  readonly code = 'run_finished';
  readonly kind = 'conflict';

  constructor(runId: string, status: string) {
    super(`Run ${runId} already finished with status ${status}; there is nothing to cancel.`);
  }
}

export class ServiceUnavailableError extends DomainError {
  readonly code = 'unavailable';
  readonly kind = 'unavailable';
}

export class MissingTenantContextError extends DomainError {
  readonly code = 'missing_tenant_context';
  readonly kind = 'internal';

  constructor() {
    super('No tenant context is active: this code ran outside an HTTP, socket or job door.');
  }
}

export class CrossTenantAccessError extends DomainError {
  readonly code = 'cross_tenant_access';
  readonly kind = 'internal';

  constructor(expected: string, actual: string) {
    super(`A resource of tenant ${actual} reached a scope bound to tenant ${expected}.`);
  }
}

export class UnknownAgentError extends DomainError {
  readonly code = 'unknown_agent';
  readonly kind = 'validation';
  override readonly details: readonly { path: string; message: string }[];

  constructor(name: string, known: readonly string[]) {
    super(
      `agent: no agent is named "${name}". Known agents: ${known.join(', ')} (GET /v1/agents).`,
    );
    this.details = [{ path: 'agent', message: `unknown agent "${name}"` }];
  }
}

export class SubscriptionLimitError extends DomainError {
  readonly code = 'too_many_subscriptions';
  readonly kind = 'limit';

  constructor(limit: number) {
    super(
      `A socket may follow at most ${limit} runs at once; unsubscribe from finished runs first.`,
    );
  }
}

export class NotSubscribedError extends DomainError {
  readonly code = 'not_subscribed';
  readonly kind = 'not_found';

  constructor(runId: string) {
    super(`This socket is not subscribed to run ${runId}.`);
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency_key_reused';
  readonly kind = 'conflict';

  constructor() {
    super(
      'This Idempotency-Key was already used with a different request in the last 24 h; use a new key.',
    );
  }
}

export class QueueFullError extends DomainError {
  readonly code = 'max_queued_runs';
  readonly kind = 'limit';

  constructor(readonly limit: number) {
    super(
      `maxQueuedRuns: this tenant already has ${limit} runs queued, its limit; wait for some to start or raise maxQueuedRuns.`,
    );
  }
}

export class SubmissionRateLimitedError extends DomainError {
  readonly code = 'runs_per_minute';
  readonly kind = 'limit';
  override readonly retryAfterSeconds: number;

  constructor(waitMs: number) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    super(
      `runsPerMinute: this tenant submitted runs faster than its limit allows; retry in ${seconds} s (Retry-After).`,
    );
    this.retryAfterSeconds = seconds;
  }
}

export class SecretsUnconfiguredError extends DomainError {
  readonly code = 'secrets_unconfigured';
  readonly kind = 'unavailable';

  constructor() {
    super(
      'Provider keys cannot be stored: this deployment has no BULKHEAD_SECRETS_KEY (32 random bytes in base64).',
    );
  }
}

export class ProviderNotFoundError extends DomainError {
  readonly code = 'provider_not_found';
  readonly kind = 'not_found';

  constructor(tenantId: string, name: string) {
    super(`Tenant ${tenantId} has no provider named "${name}".`);
  }
}

export class TooManyProvidersError extends DomainError {
  readonly code = 'too_many_providers';
  readonly kind = 'conflict';

  constructor(max: number) {
    super(`A tenant has at most ${max} providers; delete one before adding another.`);
  }
}

export class NoProviderAvailableError extends DomainError {
  readonly code = 'no_provider_available';
  readonly kind = 'unavailable';

  constructor(tenantId: string, tried: readonly string[]) {
    super(
      tried.length === 0
        ? `Tenant ${tenantId} has no usable LLM provider: add one (PUT /v1/admin/tenants/${tenantId}/providers/:name).`
        : `No LLM provider of tenant ${tenantId} could answer; tried ${tried.join(', ')}.`,
    );
  }
}

/** A tenant used its maxTokensPerDay: no LLM call of its goes out until the next UTC day. */
export class TokenBudgetExhaustedError extends DomainError {
  readonly code = 'token_budget_exhausted';
  readonly kind = 'limit';

  constructor(tenantId: string, used: number, limit: number, day: string) {
    super(
      `Tenant ${tenantId} used ${used} of its ${limit} LLM tokens for ${day} (maxTokensPerDay); calls resume at 00:00 UTC, or raise maxTokensPerDay.`,
    );
  }
}
