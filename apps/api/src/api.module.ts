import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { DiagnosticsModule, PROCESS_EXTRA_STATS } from '@bulkhead/diagnostics';
import { PlatformModule } from '@bulkhead/platform';
import { AgentProtocolModule } from './agent-protocol/agent-protocol.module';
import { AnswersByKey } from './agent-protocol/runs/answers-by-key';
import { AgentsHttpModule } from './agents/agents-http.module';
import { DocsModule } from './docs/docs.module';
import { HealthModule } from './health/health.module';
import { MetricsHttpModule } from './metrics/metrics-http.module';
import { ProvidersModule } from './providers/providers.module';
import { DomainErrorFilter } from './http/domain-error.filter';
import { TenantScopeInterceptor } from './http/tenant-scope.interceptor';
import { RunEventsGateway } from './run-events/run-events.gateway';
import { RunEventsModule } from './run-events/run-events.module';
import { RunsModule } from './runs/runs.module';
import { TenantsModule } from './tenants/tenants.module';

@Module({
  imports: [
    PlatformModule,
    AgentsHttpModule,
    RunsModule,
    RunEventsModule,
    TenantsModule,
    ProvidersModule,
    HealthModule,
    DocsModule,
    AgentProtocolModule,
    MetricsHttpModule,
    DiagnosticsModule.with(
      {
        provide: PROCESS_EXTRA_STATS,
        useFactory: (gateway: RunEventsGateway, answers: AnswersByKey) => () => ({
          ...gateway.stats(),
          lgAnswers: answers.size,
        }),
        inject: [RunEventsGateway, AnswersByKey],
      },
      [RunEventsModule, AgentProtocolModule],
    ),
  ],
  providers: [
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: TenantScopeInterceptor },
  ],
})
export class ApiModule {
  /** The API with its configuration: from the environment in main.ts, given directly in tests. */
  static with(config: DynamicModule): DynamicModule {
    return { module: ApiModule, imports: [config] };
  }
}
