import { Module } from '@nestjs/common';
import { RedisConnections } from '@bulkhead/store';
import { RUNS_CONNECTION, RunQueue } from './run-queue';

@Module({
  providers: [
    {
      // The producers' one connection fails fast, so a submission during a Redis outage answers
      // instead of hanging.
      provide: RUNS_CONNECTION,
      useFactory: (connections: RedisConnections) => connections.open('commands'),
      inject: [RedisConnections],
    },
    RunQueue,
  ],
  exports: [RunQueue],
})
export class QueueModule {}
