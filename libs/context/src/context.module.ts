import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { TenantContext } from './tenant-context';

/** No ClS middleware, guard or interceptor is mounted: each door enters the context with run(). */
@Global()
@Module({
  imports: [ClsModule.forRoot({ global: true })],
  providers: [TenantContext],
  exports: [TenantContext],
})
export class ContextModule {}
