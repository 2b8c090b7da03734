import { Module } from '@nestjs/common';
import { ContextModule } from '@bulkhead/context';
import { LoggingModule } from '@bulkhead/logging';
import { MetricsModule } from '@bulkhead/metrics';
import { RegistryModule } from '@bulkhead/registry';
import { StoreModule } from '@bulkhead/store';

/**
 * What the API and the worker both run on: context, logging, metrics, registries and storage. Agents' code is
 * the worker's alone (AgentsModule there); the API knows agents from the registry in Redis.
 */
@Module({
  imports: [ContextModule, LoggingModule, MetricsModule, RegistryModule, StoreModule],
  exports: [ContextModule, LoggingModule, MetricsModule, RegistryModule, StoreModule],
})
export class PlatformModule {}
