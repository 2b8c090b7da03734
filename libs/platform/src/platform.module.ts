import { Module } from '@nestjs/common';
import { AgentsModule } from '@bulkhead/agents';
import { ContextModule } from '@bulkhead/context';
import { LoggingModule } from '@bulkhead/logging';
import { RegistryModule } from '@bulkhead/registry';
import { StoreModule } from '@bulkhead/store';

/** What the API and the worker both run on: context, logging, registries, storage and agents. */
@Module({
  imports: [ContextModule, LoggingModule, RegistryModule, StoreModule, AgentsModule],
  exports: [ContextModule, LoggingModule, RegistryModule, StoreModule, AgentsModule],
})
export class PlatformModule {}
