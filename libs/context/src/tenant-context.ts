import { Injectable } from '@nestjs/common';
import { MissingTenantContextError } from '@bulkhead/errors';
import { ClsService } from 'nestjs-cls';
import { TenantScope } from './tenant-scope';

const SCOPE = 'bulkhead.scope';

/**
 * The tenant context: one AsyncLocalStorage store (nestjs-cls), entered only with `run()` at the three
 * doors (HTTP interceptor, socket gateway, job processor). `enterWith()` is never used: it would leak a
 * scope into whatever else the current async resource goes on to run.
 */
@Injectable()
export class TenantContext {
  constructor(private readonly cls: ClsService) {}

  /** Runs `fn` with `scope` as the current tenant scope; the scope is frozen and ends when `fn` settles. */
  run<T>(scope: TenantScope, fn: () => T): T {
    const frozen = Object.freeze({ ...scope });
    return this.cls.run(() => {
      this.cls.set(SCOPE, frozen);
      return fn();
    });
  }

  /** The current scope, or undefined outside any door (boot, shutdown, timers created at boot). */
  current(): TenantScope | undefined {
    if (!this.cls.isActive()) {
      return undefined;
    }
    return this.cls.get<TenantScope | undefined>(SCOPE);
  }

  /** The current scope; throws MissingTenantContextError where none is active. Never defaults. */
  require(): TenantScope {
    const scope = this.current();
    if (!scope) {
      throw new MissingTenantContextError();
    }
    return scope;
  }
}
