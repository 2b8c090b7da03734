import { Module } from '@nestjs/common';
import { QueueModule } from '@bulkhead/queue';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { RunCancellation } from './run-cancellation.service';
import { RunSubmission } from './run-submission.service';
import { RunsController } from './runs.controller';

@Module({
  imports: [QueueModule],
  controllers: [RunsController],
  providers: [RunSubmission, RunCancellation, ApiKeyGuard],
})
export class RunsModule {}
