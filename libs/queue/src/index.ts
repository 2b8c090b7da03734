export { QUEUES, JOBS, RunJob, runJobSchema, RetryPolicy } from './run-job';
export { RunQueue, RUNS_QUEUE } from './run-queue';
export { QueueModule } from './queue.module';
