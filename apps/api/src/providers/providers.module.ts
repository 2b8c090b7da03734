import { Module } from '@nestjs/common';
import { SecretsModule } from '@bulkhead/secrets';
import { AdminGuard } from '../auth/admin.guard';
import { ProvidersController } from './providers.controller';
import { TenantProviders } from './tenant-providers.service';

@Module({
  imports: [SecretsModule],
  controllers: [ProvidersController],
  providers: [AdminGuard, TenantProviders],
})
export class ProvidersModule {}
