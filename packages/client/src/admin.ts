import { HttpTransport, normalizeBaseUrl, segment } from './http.js';
import type { IssuedKey, Provider, ProviderType, Tenant, TenantLimits } from './types.js';

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
  limits?: { [K in keyof TenantLimits]?: number };
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

/** The body of PUT …/providers/:name: the key is sealed at once and never shown again. */
export interface ProviderBody {
  type: ProviderType;
  /** An http or https URL, for example https://api.openai.com/v1. */
  baseUrl: string;
  apiKey: string;
  /** Default []: whatever model a call asks for. */
  models?: string[];
  /** 0..1000, default 100; lower first. */
  priority?: number;
  /** Default true. */
  enabled?: boolean;
}

export interface Providers {
  /** Adds or replaces the tenant's provider `name`; new credentials clear a disabled health. 404. */
  put(tenantId: string, name: string, body: ProviderBody): Promise<Provider>;
  /** The tenant's providers in the order calls try them, with their live health. 404. */
  list(tenantId: string): Promise<Provider[]>;
  /** 404 for an unknown tenant or provider. */
  remove(tenantId: string, name: string): Promise<void>;
}

/**
 * The operator's client of /v1/admin. Every method rejects with a BulkheadError carrying the
 * server's status and code (401 for a bad token), or `unreachable`; never with the token in it.
 */
export class BulkheadAdmin {
  readonly tenants: Tenants;
  readonly keys: ApiKeys;
  readonly providers: Providers;

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
    const provider = (tenantId: string, name: string) =>
      `${tenant(tenantId)}/providers/${segment(name)}`;
    this.providers = {
      put: (tenantId, name, body) =>
        http.request({ method: 'PUT', path: provider(tenantId, name), body }),
      list: (tenantId) => http.request({ method: 'GET', path: `${tenant(tenantId)}/providers` }),
      remove: (tenantId, name) =>
        http.request({ method: 'DELETE', path: provider(tenantId, name) }),
    };
  }
}
