import { Injectable } from '@nestjs/common';
import { TenantContext, TenantScope, scopeFromJob } from '@bulkhead/context';
import { RunJob } from '@bulkhead/queue';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { ExecutionScopes } from '@bulkhead/registry';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { AttemptOutcome } from './attempt-outcome';
import { RunExecutor } from './run-executor';
import { RunParking } from './run-parking';

const REDELIVERY_DELAY_MS = 1_000;

/** Thrown to BullMQ so that it schedules the next attempt; the run already says it is retrying. */
export class AttemptFailedError extends Error {}

/**
 * The job door, the same way the HTTP and socket doors work: it reads the job's tenant scope, opens
 * that scope's ExecutionRegistry, runs the attempt inside the scope, disposes the registry whatever
 * happens, and turns the attempt's outcome into what BullMQ must do with the job.
 */
@Injectable()
export class RunProcessor {
  constructor(
    private readonly scopes: ExecutionScopes,
    private readonly context: TenantContext,
    private readonly executor: RunExecutor,
    private readonly logger: AppLogger,
    private readonly parking: RunParking,
  ) {}

  async process(
    job: Job<RunJob>,
    token: string | undefined,
    stop: AbortSignal | undefined,
  ): Promise<void> {
    const scope = scopeOf(job);
    const registry = await this.scopes.open(scope.tenantId);
    let outcome: AttemptOutcome;
    try {
      outcome = await this.context.run({ ...scope, scopeId: registry.id }, () =>
        this.executor.execute(job, registry, stop),
      );
    } catch (error) {
      // A transition failed outside the agent: Bulkhead's storage, not the agent's fault.
      outcome = { kind: 'platform_unavailable', error };
    } finally {
      await registry.dispose();
    }
    await this.act(job, token, outcome);
  }

  private async act(
    job: Job<RunJob>,
    token: string | undefined,
    outcome: AttemptOutcome,
  ): Promise<void> {
    switch (outcome.kind) {
      case 'ended':
      case 'skipped':
        return;
      case 'retrying':
        throw new AttemptFailedError(outcome.message);
      case 'at_capacity':
        return this.parkOrDeliverAgain(job, token);
      case 'handed_back':
        return this.deliverAgain(job, token, 0, 'worker stopping');
      case 'platform_unavailable':
        this.logger.warn('run.delivered_again', { error: describeError(outcome.error) });
        return this.deliverAgain(job, token, REDELIVERY_DELAY_MS, messageOf(outcome.error));
    }
  }

  /** Parks the job (DelayedError); if it could not even be delayed, delivers it again instead. */
  private async parkOrDeliverAgain(job: Job<RunJob>, token: string | undefined): Promise<never> {
    try {
      return await this.parking.park(job, token);
    } catch (error) {
      if (error instanceof DelayedError) {
        throw error;
      }
      this.logger.warn('run.delivered_again', { error: describeError(error) });
      return this.deliverAgain(job, token, REDELIVERY_DELAY_MS, messageOf(error));
    }
  }

  /**
   * The attempt ended through no fault of the agent: its worker is stopping (deliver again at once)
   * or Bulkhead's storage failed (deliver again shortly). Either way no BullMQ attempt is spent, so
   * a Redis outage cannot turn an accepted run into a failed one.
   */
  private async deliverAgain(
    job: Job<RunJob>,
    token: string | undefined,
    delayMs: number,
    reason: string,
  ): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError(reason);
  }
}

/** The job's tenant scope, validated; a job without one can never run: not retried. */
function scopeOf(job: Job<RunJob>): TenantScope {
  try {
    return scopeFromJob(job.id ?? '', job.data?.context);
  } catch (error) {
    throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
  }
}

function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
