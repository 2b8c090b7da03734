import { AgentsModule } from '@bulkhead/agents';
import { DynamicModule, Module } from '@nestjs/common';
import { DiagnosticsModule, PROCESS_EXTRA_STATS } from '@bulkhead/diagnostics';
import { PlatformModule } from '@bulkhead/platform';
import { QueueModule } from '@bulkhead/queue';
import { RunExecutor } from './runs/run-executor';
import { RunProcessor } from './runs/run.processor';
import { AbandonedRuns } from './runs/abandoned-runs';
import { RunParking } from './runs/run-parking';
import { RunWorker } from './runs/run-worker';

@Module({
  imports: [
    PlatformModule,
    AgentsModule,
    QueueModule,
    DiagnosticsModule.with({ provide: PROCESS_EXTRA_STATS, useValue: () => ({}) }),
  ],
  providers: [RunWorker, RunProcessor, RunExecutor, RunParking, AbandonedRuns],
})
export class WorkerModule {
  /** The worker with its configuration: from the environment in main.ts, given directly in tests. */
  static with(config: DynamicModule): DynamicModule {
    return { module: WorkerModule, imports: [config] };
  }
}
