import { Module } from '@nestjs/common';
import { QueueModule } from '@bulkhead/queue';
import { AuthModule } from '../auth/auth.module';
import { AgentInputs } from './agent-inputs';
import { RunCancellation } from './run-cancellation.service';
import { RunSubmission } from './run-submission.service';
import { RunsController } from './runs.controller';

@Module({
  imports: [QueueModule, AuthModule],
  controllers: [RunsController],
  providers: [RunSubmission, RunCancellation, AgentInputs],
  exports: [RunSubmission],
})
export class RunsModule {}
