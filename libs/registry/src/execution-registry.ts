import { Injectable, Scope } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { CrossTenantAccessError, MissingTenantContextError } from '@bulkhead/errors';
import { randomUUID } from 'node:crypto';
import { RegistryMonitor } from './registry-monitor';

export type Disposer = () => void | Promise<void>;

/** Gives back a tracked resource early: runs its disposer now and forgets it. Idempotent. */
export type Release = () => Promise<void>;

export class RegistryDisposedError extends Error {
  constructor(id: string) {
    super(`ExecutionRegistry ${id} was already disposed; its scope has ended.`);
  }
}

/**
 * Everything one HTTP request, socket connection or job creates: abort controllers, timers,
 * subscriptions. One instance per scope (REQUEST scope, resolved by the door with its own context id),
 * bound to exactly one tenant. Registering a resource of another tenant throws CrossTenantAccessError.
 * The door calls dispose() when the scope ends; disposers then run once each, newest first.
 */
@Injectable({ scope: Scope.REQUEST })
export class ExecutionRegistry {
  private scopeId: string = randomUUID();
  private boundTenant: TenantId | undefined;
  private readonly disposers = new Set<Disposer>();
  private disposed = false;

  constructor(private readonly monitor: RegistryMonitor) {
    monitor.opened();
  }

  /**
   * Binds this scope to its tenant; binding again to another tenant throws. A door that named its
   * scope before opening the registry (the HTTP door opens it lazily) passes that id at the first
   * bind, so the scope's log lines and its registry carry one id.
   */
  bind(tenantId: TenantId, scopeId?: string): this {
    if (this.boundTenant !== undefined && this.boundTenant !== tenantId) {
      throw new CrossTenantAccessError(this.boundTenant, tenantId);
    }
    if (this.boundTenant === undefined && scopeId !== undefined) {
      this.scopeId = scopeId;
    }
    this.boundTenant = tenantId;
    return this;
  }

  get id(): string {
    return this.scopeId;
  }

  get tenantId(): TenantId {
    if (this.boundTenant === undefined) {
      throw new MissingTenantContextError();
    }
    return this.boundTenant;
  }

  get size(): number {
    return this.disposers.size;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Tracks a resource of `tenantId` until the scope ends or the returned Release is called. */
  track(tenantId: TenantId, dispose: Disposer): Release {
    this.assertOpenFor(tenantId);
    this.disposers.add(dispose);
    return async () => {
      if (!this.disposers.delete(dispose)) {
        return;
      }
      await dispose();
    };
  }

  /** An AbortController that fires when the scope ends. */
  abortController(tenantId: TenantId): AbortController {
    const controller = new AbortController();
    this.track(tenantId, () => controller.abort(new RegistryDisposedError(this.id)));
    return controller;
  }

  /** Ends the scope: runs every disposer (newest first) even if some throw, then rethrows the first. */
  async dispose(): Promise<void> {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    const pending = [...this.disposers].reverse();
    this.disposers.clear();
    const failures: unknown[] = [];
    for (const dispose of pending) {
      try {
        await dispose();
      } catch (error) {
        failures.push(error);
      }
    }
    this.monitor.disposed();
    if (failures.length > 0) {
      throw failures[0];
    }
  }

  private assertOpenFor(tenantId: TenantId): void {
    if (this.disposed) {
      throw new RegistryDisposedError(this.id);
    }
    if (tenantId !== this.tenantId) {
      throw new CrossTenantAccessError(this.tenantId, tenantId);
    }
  }
}
