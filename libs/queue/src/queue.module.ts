import { Module } from '@nestjs/common';
import { RedisConnections, RedisKeys } from '@bulkhead/store';
import { Queue } from 'bullmq';
import { QUEUES, RunJob } from './run-job';
import { RUNS_QUEUE, RunQueue } from './run-queue';

/** The producer connection fails fast, so a submission during a Redis outage answers instead of hanging. */
function openRunsQueue(connections: RedisConnections, keys: RedisKeys): Queue<RunJob> {
  return new Queue<RunJob>(QUEUES.runs, {
    connection: connections.open('commands'),
    prefix: keys.queuePrefix,
  });
}

@Module({
  providers: [
    { provide: RUNS_QUEUE, useFactory: openRunsQueue, inject: [RedisConnections, RedisKeys] },
    RunQueue,
  ],
  exports: [RunQueue],
})
export class QueueModule {}
