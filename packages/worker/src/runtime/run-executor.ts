import { Inject, Injectable } from '@nestjs/common';
import { AgentDefinition } from '../agent';
import { AgentCatalogue } from '../agent-catalogue';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantContext, TenantId } from '@bulkhead/context';
import { DomainError, TokenBudgetExhaustedError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { PlatformMetrics } from '@bulkhead/metrics';
import { RunJob } from '@bulkhead/queue';
import { ExecutionRegistry } from '@bulkhead/registry';
import { EventLog, Outcome, RunError, RunStore } from '@bulkhead/store';
import { Job } from 'bullmq';
import { LlmGateway } from '../llm/llm-gateway';
import { agentRunContext } from './agent-run-context';
import { RUN_TIMED_OUT, remainingMs, runLimitMs, timedOut } from './attempt-deadline';
import { encodeOutput } from './attempt-output';
import { retryPlanOf } from './retry-plan';
import { AttemptOutcome } from './attempt-outcome';
import { RunParking } from './run-parking';
import { untilAborted } from './until-aborted';
import { PlatformUnavailableError, WORKER_STOPPING } from './worker-stopping';

const MAX_ERROR_LENGTH = 1_000;

/**
 * Executes one attempt of one run, inside the run's tenant context: the start transition, the
 * agent, then exactly one of finish, retry, hand back or nothing (when the run was already finished
 * or cancelled). It reports how the attempt ended as a value; the job door acts on it.
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
    private readonly llm: LlmGateway,
    private readonly metrics: PlatformMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(
    job: Job<RunJob>,
    registry: ExecutionRegistry,
    stop: AbortSignal | undefined,
  ): Promise<AttemptOutcome> {
    const { tenantId, runId } = job.data.context;
    const started = await this.runs.start(tenantId, runId);
    if (started.kind === 'at_capacity') {
      return { kind: 'at_capacity' };
    }
    if (started.kind !== 'started') {
      this.logger.info('run.skipped', { reason: started.kind });
      return { kind: 'skipped', reason: started.kind };
    }
    const attempt = {
      tenantId,
      runId,
      attempt: started.attempt,
      agent: started.agent,
      startedAtMs: performance.now(),
    };
    this.metrics.runStarted(tenantId, started.agent);
    const prepared = this.prepare(started.agent, started.input);
    if (prepared instanceof Error) {
      return this.ended(attempt, { status: 'failed', error: { message: prepared.message } });
    }
    const limitMs = runLimitMs(prepared.agent.timeoutMs, this.config.RUN_MAX_DURATION_MS);
    const leftMs = remainingMs(limitMs, started.elapsedMs);
    if (leftMs === 0) {
      return this.ended(attempt, { status: 'failed', error: timedOut(limitMs) });
    }
    const abort = this.attemptSignal(registry, tenantId, stop, leftMs);
    const ctx = agentRunContext(
      { tenantId, runId, agent: started.agent, attempt: started.attempt, signal: abort.signal },
      {
        events: this.events,
        logger: this.logger,
        context: this.context,
        maxEventBytes: this.config.EVENT_MAX_BYTES,
        llm: (caller) => this.llm.forRun(caller),
      },
    );
    this.logger.info('run.started', { agent: started.agent, attempt: started.attempt });
    let output: unknown;
    try {
      output = await untilAborted(prepared.agent.run(ctx, prepared.input), abort.signal);
    } catch (error) {
      return this.afterAgentStopped(job, attempt, abort.signal, error, limitMs);
    }
    // Outside the agent's try: what JSON cannot encode fails the run here, once.
    const encoded = encodeOutput(output, this.config.RUN_OUTPUT_MAX_BYTES);
    return this.ended(
      attempt,
      encoded.ok
        ? { status: 'succeeded', outputJson: encoded.json }
        : { status: 'failed', error: encoded.error },
    );
  }

  /** The agent threw or its signal fired: hand the run back, end it timed out, or retry or fail it. */
  private async afterAgentStopped(
    job: Job<RunJob>,
    attempt: Attempt,
    signal: AbortSignal,
    error: unknown,
    limitMs: number,
  ): Promise<AttemptOutcome> {
    if (error instanceof PlatformUnavailableError) {
      return { kind: 'platform_unavailable', error };
    }
    if (signal.reason === WORKER_STOPPING) {
      return this.handBack(attempt);
    }
    if (signal.reason === RUN_TIMED_OUT) {
      this.logger.warn('run.timed_out', { limitMs });
      return this.ended(attempt, { status: 'failed', error: timedOut(limitMs) });
    }
    const failure = runErrorOf(error);
    if (error instanceof TokenBudgetExhaustedError) {
      // Every attempt before the next UTC day would fail the same way: the run ends now.
      return this.ended(attempt, { status: 'failed', error: failure });
    }
    return this.onAttemptFailed(job, attempt, failure);
  }

  /** Every way out of `running` may free a slot of the tenant: its parked runs are woken into it. */
  private async ended(attempt: Attempt, outcome: Outcome): Promise<AttemptOutcome> {
    const { tenantId, runId } = attempt;
    const status = await this.parking.wake(
      tenantId,
      await this.runs.finish(tenantId, runId, outcome),
    );
    const error = outcome.status === 'failed' ? outcome.error.message : undefined;
    const seconds = (performance.now() - attempt.startedAtMs) / 1000;
    this.metrics.runFinished(tenantId, attempt.agent, status, seconds);
    this.logger.info('run.finished', { status, ...(error === undefined ? {} : { error }) });
    return { kind: 'ended', status };
  }

  private prepare(
    agentName: string,
    input: unknown,
  ): { agent: AgentDefinition; input: unknown } | Error {
    try {
      const agent = this.agents.get(agentName);
      return { agent, input: agent.input.parse(input) };
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
    if (!stop) {
      return abort;
    }
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
  private async handBack(attempt: Attempt): Promise<AttemptOutcome> {
    const { tenantId, runId } = attempt;
    const became = await this.parking.wake(
      tenantId,
      await this.runs.requeue(tenantId, runId, {
        attempt: attempt.attempt,
        reason: 'worker stopping',
      }),
    );
    this.logger.info('run.handed_back', { became });
    return became === 'queued' ? { kind: 'handed_back' } : { kind: 'ended', status: became };
  }

  private async onAttemptFailed(
    job: Job<RunJob>,
    attempt: Attempt,
    failure: RunError,
  ): Promise<AttemptOutcome> {
    const plan = retryPlanOf(job);
    if (!plan) {
      return this.ended(attempt, { status: 'failed', error: failure });
    }
    const { message } = failure;
    const { tenantId, runId } = attempt;
    const retrying = { attempt: attempt.attempt, error: message, delayMs: plan.delayMs };
    const became = await this.parking.wake(
      tenantId,
      await this.runs.retry(tenantId, runId, retrying),
    );
    this.logger.warn('run.attempt_failed', { attempt: attempt.attempt, error: message, became });
    return became === 'queued' ? { kind: 'retrying', message } : { kind: 'ended', status: became };
  }
}

interface Attempt {
  readonly tenantId: TenantId;
  readonly runId: RunId;
  readonly attempt: number;
  readonly agent: string;
  /** When this process started it (performance.now()), for its duration. */
  readonly startedAtMs: number;
}

/** What an agent threw, as the run's error: Bulkhead's own errors (ctx.llm's, ctx.emit's) keep their code. */
function runErrorOf(error: unknown): RunError {
  const message = messageOf(error);
  return error instanceof DomainError ? { code: error.code, message } : { message };
}

/** Whatever an agent threw, as text; total, so no thrown value can make the attempt itself fail. */
function messageOf(error: unknown): string {
  const text = textOf(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

function textOf(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === 'string') {
      return error.message;
    }
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
