import { Injectable } from '@nestjs/common';
import { ContextIdFactory, ModuleRef } from '@nestjs/core';
import { TenantId } from '@bulkhead/context';
import { ExecutionRegistry } from './execution-registry';

/**
 * Opens the ExecutionRegistry of a new scope (an HTTP request, a socket connection, a job) through Nest's DI:
 * a fresh context id, so a fresh instance. It resolves in this module only (strict), which keeps the
 * per-request cost to building the one instance instead of searching every module for the provider.
 */
@Injectable()
export class ExecutionScopes {
  constructor(private readonly moduleRef: ModuleRef) {}

  /** `scopeId` names the registry after a scope its door has already opened (see bind). */
  async open(tenantId: TenantId, scopeId?: string): Promise<ExecutionRegistry> {
    const registry = await this.moduleRef.resolve(ExecutionRegistry, ContextIdFactory.create(), {
      strict: true,
    });
    return registry.bind(tenantId, scopeId);
  }
}
