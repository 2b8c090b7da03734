import { Global, Module } from '@nestjs/common';
import { ExecutionRegistry } from './execution-registry';
import { ExecutionScopes } from './execution-scopes';
import { RegistryMonitor } from './registry-monitor';

@Global()
@Module({
  providers: [ExecutionRegistry, RegistryMonitor, ExecutionScopes],
  exports: [ExecutionRegistry, RegistryMonitor, ExecutionScopes],
})
export class RegistryModule {}
