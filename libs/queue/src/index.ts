export {
  JOBS,
  QueuedRun,
  RetryPolicy,
  RunJob,
  agentOfQueue,
  queueNameOf,
  runJobSchema,
} from './run-job';
export { RunQueue, RUNS_CONNECTION } from './run-queue';
export { QueueModule } from './queue.module';
