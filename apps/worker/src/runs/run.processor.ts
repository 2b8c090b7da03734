import { Injectable, Scope } from '@nestjs/common';
import { TenantContext, scopeFromJob } from '@bulkhead/context';
import { RunJob } from '@bulkhead/queue';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { ExecutionRegistry } from '@bulkhead/registry';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { AttemptFailedError, RunExecutor } from './run-executor';
import { RunParking, TenantAtCapacityError } from './run-parking';
import { RunHandedBackError } from './worker-stopping';

const REDELIVERY_DELAY_MS = 1_000;

/**
 * The job door. One instance per job (it injects the REQUEST-scoped registry, and RunWorker resolves
 * it with a fresh context id per job): it restores the job's tenant scope, runs the attempt inside it,
 * and disposes the job's registry whatever happens.
 */
@Injectable({ scope: Scope.REQUEST })
export class RunProcessor {
  constructor(
    private readonly registry: ExecutionRegistry,
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
    try {
      const scope = { ...this.scopeOf(job), scopeId: this.registry.id };
      this.registry.bind(scope.tenantId);
      await this.context.run(scope, () => this.executor.execute(job, this.registry, stop));
    } catch (error) {
      if (error instanceof AttemptFailedError || error instanceof UnrecoverableError) throw error;
      if (error instanceof TenantAtCapacityError) await this.parkOrDeliverAgain(job, token);
      else await this.deliverAgain(job, token, error);
    } finally {
      await this.registry.dispose();
    }
  }

  /** Parks the job (DelayedError); if it could not even be delayed, delivers it again instead. */
  private async parkOrDeliverAgain(job: Job<RunJob>, token: string | undefined): Promise<never> {
    try {
      return await this.parking.park(job, token);
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      return this.deliverAgain(job, token, error);
    }
  }

  /**
   * The attempt ended through no fault of the agent: its worker is stopping (deliver again at once) or
   * Bulkhead's storage failed (deliver again shortly). Either way no BullMQ attempt is spent, so a
   * Redis outage cannot turn an accepted run into a failed one.
   */
  private async deliverAgain(
    job: Job<RunJob>,
    token: string | undefined,
    error: unknown,
  ): Promise<never> {
    const handedBack = error instanceof RunHandedBackError;
    if (!handedBack) this.logger.warn('run.delivered_again', { error: describeError(error) });
    await job.moveToDelayed(Date.now() + (handedBack ? 0 : REDELIVERY_DELAY_MS), token);
    throw new DelayedError(error instanceof Error ? error.message : String(error));
  }

  private scopeOf(job: Job<RunJob>) {
    try {
      return scopeFromJob(job.id ?? '', job.data?.context);
    } catch (error) {
      throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    }
  }
}
