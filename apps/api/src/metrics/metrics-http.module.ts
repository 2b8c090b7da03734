import { Module } from '@nestjs/common';
import { AgentProtocolModule } from '../agent-protocol/agent-protocol.module';
import { AdminGuard } from '../auth/admin.guard';
import { RunEventsModule } from '../run-events/run-events.module';
import { ApiGauges } from './api-gauges';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsController } from './metrics.controller';

/** GET /metrics on the API's port, and the API's own gauges. */
@Module({
  imports: [RunEventsModule, AgentProtocolModule],
  controllers: [MetricsController],
  providers: [AdminGuard, MetricsAccessGuard, ApiGauges],
})
export class MetricsHttpModule {}
