import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { JobContext, RunId, TenantContext, toJobContext } from '@bulkhead/context';
import {
  DomainError,
  InputTooLargeError,
  ServiceUnavailableError,
  describeError,
} from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { PlatformMetrics } from '@bulkhead/metrics';
import { RetryPolicy, RunQueue } from '@bulkhead/queue';
import {
  AgentManifest,
  IdempotencyClaim,
  JsonObject,
  RunStore,
  Submitted,
  newRunId,
} from '@bulkhead/store';
import { createHash } from 'node:crypto';
import { AgentInputs } from './agent-inputs';
import { SubmitRun } from './run.schemas';

/** How much longer JSON.stringify can make a parsed body than its text: `1e20` (4) → 21 digits. */
const MAX_JSON_GROWTH = 6;

/**
 * Accepts a run for the current tenant: checks the agent (as registered by workers) and its input
 * (against the registered JSON Schema), records the run (status
 * queued, event run.queued), then enqueues its job. A run that could not be enqueued is not left
 * queued for ever: it is failed with a reason and the client gets a 503 to retry.
 */
@Injectable()
export class RunSubmission {
  constructor(
    private readonly context: TenantContext,
    private readonly inputs: AgentInputs,
    private readonly runs: RunStore,
    private readonly queue: RunQueue,
    private readonly logger: AppLogger,
    private readonly metrics: PlatformMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * With an idempotency key, a repeat of the same request returns the first run (`replayed`) and
   * enqueues nothing: 50 concurrent duplicates make one run.
   */
  async submit(
    request: SubmitRun,
    idempotencyKey?: string,
    bodyBytes?: number,
  ): Promise<Submitted> {
    const prepared = await this.prepare(request, bodyBytes);
    const claim = idempotencyKey
      ? { key: idempotencyKey, requestHash: requestHash(request) }
      : undefined;
    const submitted = await this.record(prepared, claim);
    if (submitted.replayed) {
      return submitted;
    }
    await this.enqueue(prepared.runId, prepared.agent, submitted.priority);
    return submitted;
  }

  /** Checks the agent and its input and gives the run its id; nothing is stored yet. */
  async prepare(request: SubmitRun, bodyBytes?: number): Promise<PreparedRun> {
    const { tenantId } = this.context.require();
    const versions = await this.inputs.versionsOf(tenantId, request.agent);
    this.assertInputSize(request.input, bodyBytes);
    const input = this.inputs.parse(versions, request.input ?? {});
    return { runId: newRunId(), agent: versions.latest, input, metadata: request.metadata };
  }

  /**
   * Records a prepared run (status queued), within the tenant's limits; no job yet. Counted in the
   * metrics as submitted, or as rejected by the limit that refused it.
   */
  async record(prepared: PreparedRun, claim?: IdempotencyClaim): Promise<Submitted> {
    const { runId, agent, input, metadata } = prepared;
    const { tenantId } = this.context.require();
    try {
      const submitted = await this.runs.submit(
        tenantId,
        { id: runId, agent: agent.name, input, metadata },
        claim,
      );
      if (!submitted.replayed) {
        this.metrics.runSubmitted(tenantId, agent.name);
      }
      return submitted;
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'limit') {
        this.metrics.runRejected(tenantId, error.code);
      }
      throw error;
    }
  }

  /** The job a recorded run is enqueued with, as JSON: what a run that waits keeps until its turn. */
  jobOf(prepared: PreparedRun): QueuedJob {
    const scope = this.context.require();
    return {
      agent: prepared.agent.name,
      context: toJobContext(scope, prepared.runId),
      retry: retryOf(prepared.agent),
    };
  }

  /**
   * The cheap bound before the agent's schema walks the input: its JSON size as it will be stored.
   * That can exceed what the client sent (`1e20` is stored as 21 digits), so only a body small
   * enough that no encoding could grow it past the bound skips the measurement.
   */
  private assertInputSize(input: unknown, bodyBytes: number | undefined): void {
    const limit = this.config.RUN_INPUT_MAX_BYTES;
    if (bodyBytes !== undefined && bodyBytes * MAX_JSON_GROWTH <= limit) {
      return;
    }
    if (Buffer.byteLength(JSON.stringify(input ?? {})) > limit) {
      throw new InputTooLargeError(limit);
    }
  }

  /** Enqueues a recorded run of the current tenant (see enqueueJob). */
  async enqueue(runId: RunId, agent: AgentManifest, priority: number): Promise<void> {
    const scope = this.context.require();
    await this.enqueueJob(
      { agent: agent.name, context: toJobContext(scope, runId), retry: retryOf(agent) },
      priority,
    );
  }

  /**
   * Enqueues a recorded run's job; one that could not be enqueued is failed with a reason (never
   * left queued for ever) and ServiceUnavailableError tells the client to submit it again.
   */
  async enqueueJob(job: QueuedJob, priority: number): Promise<void> {
    const { tenantId, runId } = job.context;
    try {
      await this.queue.enqueue(job.agent, job.context, job.retry, priority);
      this.logger.info('run.queued', { agent: job.agent });
    } catch (error) {
      const message = 'The run could not be queued; submit it again.';
      await this.runs.finish(tenantId, runId, { status: 'failed', error: { message } });
      this.logger.error('run.enqueue_failed', { error: describeError(error) });
      throw new ServiceUnavailableError(message);
    }
  }
}

/** A run checked and named, not stored yet (RunSubmission.prepare). */
export interface PreparedRun {
  readonly runId: RunId;
  readonly agent: AgentManifest;
  readonly input: unknown;
  readonly metadata?: JsonObject | undefined;
}

/** Everything a run's job needs, so any API process can enqueue a run another one recorded. */
export interface QueuedJob {
  readonly agent: string;
  readonly context: JobContext;
  readonly retry: RetryPolicy;
}

function retryOf(agent: AgentManifest): RetryPolicy {
  return {
    attempts: agent.retries + 1,
    backoff: { type: agent.backoff.type, delay: agent.backoff.delayMs },
  };
}

/** The same request always hashes the same, whatever the order of its keys. */
function requestHash(request: SubmitRun): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (typeof value !== 'object' || value === null) {
    return JSON.stringify(value) ?? 'null';
  }
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
