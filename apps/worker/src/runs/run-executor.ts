import { Inject, Injectable } from '@nestjs/common';
import { AgentCatalogue, AgentDefinition } from '@bulkhead/agents';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantContext, TenantId } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { RunJob } from '@bulkhead/queue';
import { ExecutionRegistry } from '@bulkhead/registry';
import { EventLog, Outcome, Run, RunStore } from '@bulkhead/store';
import { Job } from 'bullmq';
import { agentRunContext } from './agent-run-context';
import { RUN_TIMED_OUT, attemptLimitMs, timedOut } from './attempt-deadline';
import { encodeOutput } from './attempt-output';
import { retryPlanOf } from './retry-plan';
import { RunParking, TenantAtCapacityError } from './run-parking';
import { untilAborted } from './until-aborted';
import { PlatformUnavailableError, RunHandedBackError, WORKER_STOPPING } from './worker-stopping';

const MAX_ERROR_LENGTH = 1_000;

/** Thrown to BullMQ so that it schedules the next attempt; the run already says it is retrying. */
export class AttemptFailedError extends Error {}

/**
 * Executes one attempt of one run, inside the run's tenant context: start transition, the agent,
 * then exactly one of finish, retry or nothing (when the run was already finished or cancelled).
 */
@Injectable()
export class RunExecutor {
  constructor(
    private readonly runs: RunStore,
    private readonly events: EventLog,
    private readonly agents: AgentCatalogue,
    private readonly logger: AppLogger,
    private readonly context: TenantContext,
    private readonly parking: RunParking,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(
    job: Job<RunJob>,
    registry: ExecutionRegistry,
    stop: AbortSignal | undefined,
  ): Promise<void> {
    const { tenantId, runId } = job.data.context;
    const started = await this.runs.start(tenantId, runId);
    if (started.kind === 'at_capacity') throw new TenantAtCapacityError(runId);
    if (started.kind !== 'started') {
      this.logger.info('run.skipped', { reason: started.kind });
      return;
    }
    const run = await this.runs.get(tenantId, runId);
    const prepared = this.prepare(run);
    if (prepared instanceof Error) {
      await this.finish(tenantId, runId, {
        status: 'failed',
        error: { message: prepared.message },
      });
      return;
    }
    const limitMs = attemptLimitMs(prepared.agent.timeoutMs, this.config.RUN_MAX_DURATION_MS);
    const abort = this.attemptSignal(registry, tenantId, stop, limitMs);
    const ctx = agentRunContext(
      { tenantId, runId, agent: run.agent, attempt: started.attempt, signal: abort.signal },
      {
        events: this.events,
        logger: this.logger,
        context: this.context,
        maxEventBytes: this.config.EVENT_MAX_BYTES,
      },
    );
    this.logger.info('run.started', { agent: run.agent, attempt: started.attempt });
    let output: unknown;
    try {
      output = await untilAborted(prepared.agent.run(ctx, prepared.input), abort.signal);
    } catch (error) {
      if (error instanceof PlatformUnavailableError) throw error;
      await this.onAttemptEnded(
        job,
        { tenantId, runId, attempt: started.attempt },
        abort,
        error,
        limitMs,
      );
      return;
    }
    // Outside the agent's try: a storage error here is not the agent's failure; the processor
    // delivers the job again. What JSON cannot encode fails the run here, once.
    const encoded = encodeOutput(output, this.config.RUN_OUTPUT_MAX_BYTES);
    const outcome: Outcome = encoded.ok
      ? { status: 'succeeded', outputJson: encoded.json }
      : { status: 'failed', error: encoded.error };
    const result = await this.finish(tenantId, runId, outcome);
    this.logger.info('run.finished', { status: result });
  }

  /** The agent threw or its signal fired: hand the run back, end it timed out, or retry or fail it. */
  private async onAttemptEnded(
    job: Job<RunJob>,
    attempt: { tenantId: TenantId; runId: RunId; attempt: number },
    abort: AbortController,
    error: unknown,
    limitMs: number,
  ): Promise<void> {
    const { tenantId, runId } = attempt;
    if (abort.signal.reason === WORKER_STOPPING) {
      await this.handBack(tenantId, runId, attempt.attempt);
      return;
    }
    if (abort.signal.reason === RUN_TIMED_OUT) {
      const result = await this.finish(tenantId, runId, {
        status: 'failed',
        error: timedOut(limitMs),
      });
      this.logger.warn('run.timed_out', { limitMs, status: result });
      return;
    }
    await this.onAttemptFailed(job, tenantId, runId, attempt.attempt, error);
  }

  /** Every way out of `running` may free a slot of the tenant: its parked runs are woken into it. */
  private async finish(tenantId: TenantId, runId: RunId, outcome: Outcome): Promise<string> {
    return this.parking.wake(await this.runs.finish(tenantId, runId, outcome));
  }

  private prepare(run: Run): { agent: AgentDefinition; input: unknown } | Error {
    try {
      const agent = this.agents.get(run.agent);
      return { agent, input: agent.input.parse(run.input) };
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * One controller per attempt, owned by the job's registry: aborted on cancel, when the worker stops,
   * when the attempt reaches its run's maximum duration, and when the scope ends.
   */
  private attemptSignal(
    registry: ExecutionRegistry,
    tenantId: TenantId,
    stop: AbortSignal | undefined,
    limitMs: number,
  ): AbortController {
    const abort = registry.abortController(tenantId);
    const deadline = setTimeout(() => abort.abort(RUN_TIMED_OUT), limitMs);
    registry.track(tenantId, () => clearTimeout(deadline));
    if (!stop) return abort;
    // A cancel or stop may already have fired while the run was being started.
    if (stop.aborted) {
      abort.abort(stop.reason);
      return abort;
    }
    const forward = () => abort.abort(stop.reason);
    stop.addEventListener('abort', forward, { once: true });
    registry.track(tenantId, () => stop.removeEventListener('abort', forward));
    return abort;
  }

  /** The worker is stopping: the run goes back to the queue, to start again on another worker. */
  private async handBack(tenantId: TenantId, runId: RunId, attempt: number): Promise<void> {
    const became = await this.parking.wake(
      await this.runs.requeue(tenantId, runId, { attempt, reason: 'worker stopping' }),
    );
    this.logger.info('run.handed_back', { became });
    if (became === 'queued') throw new RunHandedBackError(runId);
  }

  private async onAttemptFailed(
    job: Job<RunJob>,
    tenantId: TenantId,
    runId: RunId,
    attempt: number,
    error: unknown,
  ): Promise<void> {
    const message = messageOf(error);
    const plan = retryPlanOf(job);
    if (plan) {
      const became = await this.parking.wake(
        await this.runs.retry(tenantId, runId, { attempt, error: message, delayMs: plan.delayMs }),
      );
      this.logger.warn('run.attempt_failed', { attempt, error: message, became });
      if (became === 'queued') throw new AttemptFailedError(message);
      return;
    }
    const result = await this.finish(tenantId, runId, { status: 'failed', error: { message } });
    this.logger.info('run.finished', { status: result, error: message });
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
