import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobContext, RunId } from '@bulkhead/context';
import { PRIORITY_LIMIT, Queue } from 'bullmq';
import { JOBS, RetryPolicy, RunJob } from './run-job';

export const RUNS_QUEUE = Symbol('RunsQueue');

/** BullMQ answers a promote of a job that is no longer delayed (it woke by itself, or ended) so. */
const NOT_DELAYED = /is not in the delayed state|Missing key for job/;

/**
 * The producer side of the runs queue. The job id is the run id, so enqueuing one run twice cannot make
 * a second job. Jobs are removed once done: the run record, not BullMQ, keeps the outcome. The priority
 * is the tenant's backlog (RunStore.submit), so BullMQ serves tenants with small backlogs first.
 */
@Injectable()
export class RunQueue implements OnApplicationShutdown {
  constructor(@Inject(RUNS_QUEUE) private readonly queue: Queue<RunJob>) {}

  async enqueue(context: JobContext, retry: RetryPolicy, priority: number): Promise<void> {
    await this.queue.add(
      JOBS.executeRun,
      { context },
      {
        jobId: context.runId,
        priority: Math.min(Math.max(1, priority), PRIORITY_LIMIT),
        attempts: retry.attempts,
        backoff: retry.backoff,
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Moves the delayed jobs of parked runs that now have a free slot back to the queue. */
  async promote(runIds: readonly RunId[]): Promise<void> {
    await Promise.all(runIds.map((runId) => this.promoteOne(runId)));
  }

  private async promoteOne(runId: RunId): Promise<void> {
    const job = await this.queue.getJob(runId);
    try {
      await job?.promote();
    } catch (error) {
      if (!(error instanceof Error && NOT_DELAYED.test(error.message))) {
        throw error;
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
