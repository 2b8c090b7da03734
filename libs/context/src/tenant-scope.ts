export type TenantId = string & { readonly __brand: 'TenantId' };
export type RunId = string & { readonly __brand: 'RunId' };

/** Tenant ids are what the admin API accepts: lower-case, digits and dashes, 2 to 63 characters. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Who opened a scope: an API key over HTTP or a socket, or the queue for a job. */
export type Principal =
  | { readonly kind: 'api-key'; readonly keyId: string }
  | { readonly kind: 'job'; readonly jobId: string };

/** What every line of code running for a tenant can know about where it runs. Frozen when entered. */
export interface TenantScope {
  readonly tenantId: TenantId;
  readonly principal: Principal;
  readonly requestId: string;
  readonly runId?: RunId;
  /** The id of the scope's ExecutionRegistry: one per request, connection or job. */
  readonly scopeId?: string;
}

export function isTenantId(value: string): value is TenantId {
  return TENANT_ID_PATTERN.test(value);
}
