import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { TenantId } from '@bulkhead/context';
import { RunJob, RunQueue, agentOfQueue } from '@bulkhead/queue';
import { RunStore, Transition } from '@bulkhead/store';
import { DelayedError, Job } from 'bullmq';

/**
 * Keeps a tenant's maxConcurrentRuns without workers spinning on jobs they cannot start. A run that finds
 * its tenant at the limit has its job delayed and is parked in Redis; each run of that tenant that stops
 * running wakes as many parked runs as there are free slots, and their jobs are promoted. The delay is a
 * backstop (PARKED_RUN_RECHECK_MS) for a wake-up lost to a crash between the two steps.
 */
@Injectable()
export class RunParking {
  constructor(
    private readonly runs: RunStore,
    private readonly queue: RunQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  /** Delays the job first, then parks: a slot freed in between is seen by the park script. */
  async park(job: Job<RunJob>, token: string | undefined): Promise<never> {
    const { tenantId, runId } = job.data.context;
    await job.moveToDelayed(Date.now() + this.config.PARKED_RUN_RECHECK_MS, token);
    // The job is delayed now: whatever fails below, its recheck starts it later.
    try {
      const parked = await this.runs.park(tenantId, runId);
      if (parked === 'free') {
        await this.queue.promote([{ runId, agent: agentOfQueue(job.queueName) }]);
      }
      this.logger.info('run.parked', { tenantId, runId, outcome: parked });
    } catch (error) {
      this.logger.warn('run.park_incomplete', { tenantId, runId, error: describeError(error) });
    }
    throw new DelayedError(`Run ${runId} waits for a free slot of its tenant.`);
  }

  /** Promotes the parked runs a transition woke into the slot it freed. */
  async wake(tenantId: TenantId, transition: Transition): Promise<string> {
    if (transition.woken.length > 0) {
      await this.queue.promote(await this.runs.agentsOf(tenantId, transition.woken));
    }
    return transition.outcome;
  }
}
