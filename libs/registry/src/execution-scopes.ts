import { Injectable } from '@nestjs/common';
import { ContextIdFactory, ModuleRef } from '@nestjs/core';
import { TenantId } from '@bulkhead/context';
import { ExecutionRegistry } from './execution-registry';

/**
 * Opens the ExecutionRegistry of a new scope (an HTTP request, a socket connection) through Nest's DI:
 * a fresh context id, so a fresh instance. It resolves in this module only (strict), which keeps the
 * per-request cost to building the one instance instead of searching every module for the provider.
 */
@Injectable()
export class ExecutionScopes {
  constructor(private readonly moduleRef: ModuleRef) {}

  async open(tenantId: TenantId): Promise<ExecutionRegistry> {
    const registry = await this.moduleRef.resolve(ExecutionRegistry, ContextIdFactory.create(), {
      strict: true,
    });
    return registry.bind(tenantId);
  }
}
