import { KeyOwner } from '@bulkhead/store';
import type { FastifyRequest } from 'fastify';
import type { RequestScope } from '../http/request-scope';

/**
 * A request after ApiKeyGuard (the tenant and key come only from the presented API key) and the
 * HTTP door (the request's scope, which opens its own ExecutionRegistry when a handler asks).
 */
export type AuthenticatedRequest = FastifyRequest & {
  bulkheadOwner?: KeyOwner;
  bulkheadScope?: RequestScope;
};

export function bearerTokenOf(header: string | undefined): string | undefined {
  if (!header) {
    return undefined;
  }
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (rest.length > 0 || scheme?.toLowerCase() !== 'bearer' || !token) {
    return undefined;
  }
  return token;
}
