import { HttpTransport, normalizeBaseUrl, segment } from './http.js';
import type { IssuedKey, Tenant, TenantLimits } from './types.js';

export interface BulkheadAdminOptions {
  baseUrl: string;
  /** The platform's BULKHEAD_ADMIN_TOKEN. */
  adminToken: string;
  fetch?: typeof fetch | undefined;
}

export interface CreateTenantBody {
  /** Matches ^[a-z0-9][a-z0-9-]{1,62}$. */
  id: string;
  name?: string;
  /** Limits of its own; the others take the configured defaults. */
  limits?: Partial<TenantLimits>;
}

/** A number sets a limit; null returns it to the configured default. */
export type TenantLimitsPatch = { [K in keyof TenantLimits]?: number | null };

/** A change of a tenant: `agents` the whole list of agents it may use, null every agent. */
export interface TenantPatch {
  agents?: string[] | null;
}

export interface Tenants {
  /** 201 with the tenant; 409 tenant_exists; 400 naming a bad id or limit. */
  create(body: CreateTenantBody): Promise<Tenant>;
  /** The tenant with the limits in force and its live usage; 404 tenant_not_found. */
  get(id: string): Promise<Tenant>;
  /** Applies everywhere at the next submission and start; 400 for an empty patch; 404. */
  updateLimits(id: string, patch: TenantLimitsPatch): Promise<Tenant>;
  /** Which agents the tenant may use, in force at its next request; 400 for an empty patch; 404. */
  update(id: string, patch: TenantPatch): Promise<Tenant>;
}

export interface ApiKeys {
  /** Issues a key; `key` is shown only in this answer. 404 for an unknown tenant. */
  create(tenantId: string): Promise<IssuedKey>;
  /** Refused at once on HTTP, and its sockets are dropped on every API process. 404 for an unknown key. */
  revoke(tenantId: string, keyId: string): Promise<void>;
}

/**
 * The operator's client of /v1/admin. Every method rejects with a BulkheadError carrying the
 * server's status and code (401 for a bad token), or `unreachable`; never with the token in it.
 */
export class BulkheadAdmin {
  readonly tenants: Tenants;
  readonly keys: ApiKeys;

  constructor(options: BulkheadAdminOptions) {
    const http = new HttpTransport(
      normalizeBaseUrl(options.baseUrl),
      options.adminToken,
      options.fetch,
    );
    const tenant = (id: string) => `/v1/admin/tenants/${segment(id)}`;
    this.tenants = {
      create: (body) => http.request({ method: 'POST', path: '/v1/admin/tenants', body }),
      get: (id) => http.request({ method: 'GET', path: tenant(id) }),
      updateLimits: (id, patch) =>
        http.request({ method: 'PATCH', path: `${tenant(id)}/limits`, body: patch }),
      update: (id, patch) => http.request({ method: 'PATCH', path: tenant(id), body: patch }),
    };
    this.keys = {
      create: (tenantId) => http.request({ method: 'POST', path: `${tenant(tenantId)}/keys` }),
      revoke: (tenantId, keyId) =>
        http.request({ method: 'DELETE', path: `${tenant(tenantId)}/keys/${segment(keyId)}` }),
    };
  }
}
