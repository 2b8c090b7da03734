import { Module } from '@nestjs/common';
import { QueueModule } from '@bulkhead/queue';
import { AdminGuard } from '../auth/admin.guard';
import { AuthModule } from '../auth/auth.module';
import { RunEventsModule } from '../run-events/run-events.module';
import { TenantAccounts } from './tenant-accounts.service';
import { TenantsController } from './tenants.controller';

@Module({
  imports: [RunEventsModule, QueueModule, AuthModule],
  controllers: [TenantsController],
  providers: [AdminGuard, TenantAccounts],
})
export class TenantsModule {}
