import { Job } from 'bullmq';

export interface RetryPlan {
  readonly delayMs: number;
}

/** BullMQ's own rule (Job.shouldRetryJob, built-in backoffs without jitter): whether and when it retries. */
export function retryPlanOf(job: Job): RetryPlan | undefined {
  const attemptsAfterThis = job.attemptsMade + 1;
  if (attemptsAfterThis >= (job.opts.attempts ?? 1)) {
    return undefined;
  }
  const backoff = job.opts.backoff;
  if (backoff === undefined) {
    return { delayMs: 0 };
  }
  if (typeof backoff === 'number') {
    return { delayMs: backoff };
  }
  const delay = backoff.delay ?? 0;
  if (backoff.type === 'exponential') {
    return { delayMs: Math.round(2 ** (attemptsAfterThis - 1) * delay) };
  }
  return { delayMs: delay };
}
