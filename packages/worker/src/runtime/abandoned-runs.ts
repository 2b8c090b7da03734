import { Injectable } from '@nestjs/common';
import { TenantContext, scopeFromJob } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { RunJob } from '@bulkhead/queue';
import { RunStore } from '@bulkhead/store';
import { Job, UnrecoverableError } from 'bullmq';
import { RunParking } from './run-parking';

const STALLED = /stalled/i;

/**
 * Ends the runs BullMQ gives up on without our processor deciding it. A job whose workers died mid-run
 * more than WORKER_MAX_STALLED_COUNT times is marked by BullMQ's stalled check, and the next worker to
 * fetch it fails it before calling the processor; left alone, its run would stay `running`, holding a
 * slot of its tenant, for ever. The failing worker hears its own 'failed' event and ends the run.
 */
@Injectable()
export class AbandonedRuns {
  constructor(
    private readonly runs: RunStore,
    private readonly parking: RunParking,
    private readonly context: TenantContext,
    private readonly logger: AppLogger,
  ) {}

  /** For every 'failed' event of the worker; acts only when BullMQ will not try the job again. */
  async settle(job: Job<RunJob> | undefined, error: Error): Promise<void> {
    if (!job || !givenUp(job, error)) {
      return;
    }
    try {
      const scope = scopeFromJob(String(job.id), job.data?.context);
      const { tenantId, runId } = scope;
      if (!runId) {
        return;
      }
      await this.context.run(scope, async () => {
        const ended = await this.runs.finish(tenantId, runId, {
          status: 'failed',
          error: { message: messageFor(error.message) },
        });
        const outcome = await this.parking.wake(tenantId, ended);
        this.logger.warn('run.abandoned', { reason: error.message, outcome });
      });
    } catch (failure) {
      this.logger.error('run.abandon_failed', { jobId: job.id, error: describeError(failure) });
    }
  }
}

function givenUp(job: Job<RunJob>, error: Error): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
}

function messageFor(reason: string): string {
  if (STALLED.test(reason)) {
    return 'The run was abandoned: the workers running it stopped mid-run too many times.';
  }
  return `The run could not be executed: ${reason}`;
}
