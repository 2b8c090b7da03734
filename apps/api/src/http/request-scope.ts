import { TenantId } from '@bulkhead/context';
import { ExecutionRegistry, ExecutionScopes, RegistryDisposedError } from '@bulkhead/registry';
import { randomUUID } from 'node:crypto';

/**
 * One authenticated HTTP request's scope: its id at once (log lines carry it), its ExecutionRegistry
 * only when a handler first asks for it. Most handlers track nothing, and building a registry through
 * Nest's DI per request cost a quarter of the submit path's throughput (docs/benchmarks.md). Ended by
 * the HTTP door when the response is done: a registry opened by then is disposed, and none opens after.
 */
export class RequestScope {
  readonly id = randomUUID();
  private opened: Promise<ExecutionRegistry> | undefined;
  private ended = false;

  constructor(
    private readonly scopes: ExecutionScopes,
    readonly tenantId: TenantId,
  ) {}

  /** The request's registry, bound to its tenant; the same instance on every call. */
  registry(): Promise<ExecutionRegistry> {
    if (this.ended) {
      return Promise.reject(new RegistryDisposedError(this.id));
    }
    this.opened ??= this.scopes.open(this.tenantId, this.id);
    return this.opened;
  }

  /** Disposes the registry if one was opened; idempotent. */
  async end(): Promise<void> {
    this.ended = true;
    const opened = this.opened;
    if (!opened) {
      return;
    }
    const registry = await opened;
    await registry.dispose();
  }
}
