import { ExecutionRegistry } from '@bulkhead/registry';
import { KeyOwner } from '@bulkhead/store';
import type { FastifyRequest } from 'fastify';

/**
 * A request after ApiKeyGuard (the tenant and key come only from the presented API key) and the
 * HTTP door (the request's own ExecutionRegistry).
 */
export type AuthenticatedRequest = FastifyRequest & {
  bulkheadOwner?: KeyOwner;
  bulkheadRegistry?: ExecutionRegistry;
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
