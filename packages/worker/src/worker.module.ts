import { DynamicModule, Module } from '@nestjs/common';
import { DiagnosticsModule, PROCESS_EXTRA_STATS } from '@bulkhead/diagnostics';
import { PlatformModule } from '@bulkhead/platform';
import { QueueModule } from '@bulkhead/queue';
import { SecretsModule } from '@bulkhead/secrets';
import { AgentCatalogue } from './agent-catalogue';
import { LlmGateway } from './llm/llm-gateway';
import { AbandonedRuns } from './runtime/abandoned-runs';
import { MetricsListener } from './runtime/metrics-listener';
import { RunExecutor } from './runtime/run-executor';
import { RunParking } from './runtime/run-parking';
import { RunProcessor } from './runtime/run.processor';
import { RunWorker } from './runtime/run-worker';

@Module({
  imports: [
    PlatformModule,
    QueueModule,
    SecretsModule,
    DiagnosticsModule.with({ provide: PROCESS_EXTRA_STATS, useValue: () => ({}) }),
  ],
  providers: [
    RunWorker,
    RunProcessor,
    RunExecutor,
    RunParking,
    AbandonedRuns,
    LlmGateway,
    MetricsListener,
  ],
})
export class WorkerModule {
  /** A worker for these agents with this configuration (ConfigModule.withConfig). */
  static with(config: DynamicModule, agents: AgentCatalogue): DynamicModule {
    return {
      module: WorkerModule,
      imports: [config],
      providers: [{ provide: AgentCatalogue, useValue: agents }],
    };
  }
}
