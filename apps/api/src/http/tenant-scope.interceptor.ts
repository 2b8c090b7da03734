import { describeError } from '@bulkhead/errors';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { TenantContext, TenantScope } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { ExecutionScopes } from '@bulkhead/registry';
import { Observable, finalize } from 'rxjs';
import { AuthenticatedRequest } from '../auth/authenticated-request';
import { RequestScope } from './request-scope';

/**
 * The HTTP door. For a request ApiKeyGuard authenticated, it opens the request's scope (handlers reach
 * it on the request; its ExecutionRegistry, a fresh DI context so controllers stay singletons, is
 * built on a handler's first use), runs the handler inside the tenant context with run(), and ends
 * the scope when the response is done. Other routes pass through.
 */
@Injectable()
export class TenantScopeInterceptor implements NestInterceptor {
  constructor(
    private readonly scopes: ExecutionScopes,
    private readonly context: TenantContext,
    private readonly logger: AppLogger,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = execution.switchToHttp().getRequest<AuthenticatedRequest>();
    const owner = request.bulkheadOwner;
    if (!owner) {
      return next.handle();
    }
    const requestScope = new RequestScope(this.scopes, owner.tenantId);
    request.bulkheadScope = requestScope;
    const scope: TenantScope = {
      tenantId: owner.tenantId,
      principal: { kind: 'api-key', keyId: owner.keyId },
      requestId: String(request.id),
      scopeId: requestScope.id,
    };
    // Nest binds the handler to the async context in which handle() is called: call it inside run().
    return new Observable((subscriber) =>
      this.context.run(scope, () =>
        next
          .handle()
          .pipe(finalize(() => this.end(requestScope)))
          .subscribe(subscriber),
      ),
    );
  }

  private end(scope: RequestScope): void {
    scope
      .end()
      .catch((error: unknown) =>
        this.logger.error('registry.dispose_failed', { error: describeError(error) }),
      );
  }
}
