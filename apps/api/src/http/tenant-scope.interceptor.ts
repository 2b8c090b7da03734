import { describeError } from '@bulkhead/errors';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { TenantContext, TenantScope } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { ExecutionRegistry, ExecutionScopes } from '@bulkhead/registry';
import { Observable, finalize } from 'rxjs';
import { AuthenticatedRequest } from '../auth/authenticated-request';

/**
 * The HTTP door. For a request ApiKeyGuard authenticated, it opens the request's ExecutionRegistry
 * (a fresh DI context per request, so controllers stay singletons; handlers reach it on the request),
 * runs the handler inside the tenant context with run(), and disposes the registry when the response
 * is done. Other routes pass through.
 */
@Injectable()
export class TenantScopeInterceptor implements NestInterceptor {
  constructor(
    private readonly scopes: ExecutionScopes,
    private readonly context: TenantContext,
    private readonly logger: AppLogger,
  ) {}

  async intercept(execution: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = execution.switchToHttp().getRequest<AuthenticatedRequest>();
    const owner = request.bulkheadOwner;
    if (!owner) {
      return next.handle();
    }
    const registry = await this.scopes.open(owner.tenantId);
    request.bulkheadRegistry = registry;
    const scope: TenantScope = {
      tenantId: owner.tenantId,
      principal: { kind: 'api-key', keyId: owner.keyId },
      requestId: String(request.id),
      scopeId: registry.id,
    };
    // Nest binds the handler to the async context in which handle() is called: call it inside run().
    return new Observable((subscriber) =>
      this.context.run(scope, () =>
        next
          .handle()
          .pipe(finalize(() => this.dispose(registry)))
          .subscribe(subscriber),
      ),
    );
  }

  private dispose(registry: ExecutionRegistry): void {
    registry
      .dispose()
      .catch((error: unknown) =>
        this.logger.error('registry.dispose_failed', { error: describeError(error) }),
      );
  }
}
