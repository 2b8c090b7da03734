import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobContext } from '@bulkhead/context';
import { Queue } from 'bullmq';
import { JOBS, RetryPolicy, RunJob } from './run-job';

export const RUNS_QUEUE = Symbol('RunsQueue');

/**
 * The producer side of the runs queue. The job id is the run id, so enqueuing one run twice cannot make
 * a second job. Jobs are removed once done: the run record, not BullMQ, keeps the outcome.
 */
@Injectable()
export class RunQueue implements OnApplicationShutdown {
  constructor(@Inject(RUNS_QUEUE) private readonly queue: Queue<RunJob>) {}

  async enqueue(context: JobContext, retry: RetryPolicy): Promise<void> {
    await this.queue.add(
      JOBS.executeRun,
      { context },
      {
        jobId: context.runId,
        attempts: retry.attempts,
        backoff: retry.backoff,
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
