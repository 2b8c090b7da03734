import { Module } from '@nestjs/common';
import { AdminGuard } from '../auth/admin.guard';
import { RunEventsModule } from '../run-events/run-events.module';
import { TenantsController } from './tenants.controller';

@Module({
  imports: [RunEventsModule],
  controllers: [TenantsController],
  providers: [AdminGuard],
})
export class TenantsModule {}
