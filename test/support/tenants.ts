import type { Tenant } from '@bulkhead/client';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bodyOf } from './answers';
import { ADMIN_TOKEN } from './platform';

export interface TestTenant {
  readonly id: string;
  readonly key: string;
  readonly keyId: string;
}

/** POST /v1/admin/tenants/:id/keys: `key` is shown only in this answer. */
export interface IssuedKey {
  readonly id: string;
  readonly key: string;
}

export const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

export function bearer(key: string): { Authorization: string } {
  return { Authorization: `Bearer ${key}` };
}

export interface Limits {
  readonly maxConcurrentRuns?: number | null;
  readonly maxQueuedRuns?: number | null;
  readonly runsPerMinute?: number | null;
  readonly maxStoredRuns?: number | null;
  readonly maxTokensPerDay?: number | null;
}

/** What a tenant's usage shows of tokens before its first LLM call: today, at zero. */
export const NO_TOKENS_YET = [
  {
    day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown,
    inputTokens: 0,
    outputTokens: 0,
    calls: 0,
  },
];

/** A tenant as the admin API answers it: the SDK's type, so tests and clients read one shape. */
export type TenantView = Tenant;

/** A tenant with a fresh id, its own limits if given, and one API key, created through the admin API. */
export async function createTenant(url: string, label = 't', limits?: Limits): Promise<TestTenant> {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  await request(url).post('/v1/admin/tenants').set(admin).send({ id, limits }).expect(201);
  const issued = await request(url).post(`/v1/admin/tenants/${id}/keys`).set(admin).expect(201);
  const { key, id: keyId } = bodyOf<IssuedKey>(issued);
  return { id, key, keyId };
}

export async function tenantView(url: string, tenantId: string): Promise<TenantView> {
  const response = await request(url).get(`/v1/admin/tenants/${tenantId}`).set(admin).expect(200);
  return response.body as TenantView;
}

export async function setLimits(
  url: string,
  tenantId: string,
  limits: Limits,
): Promise<TenantView> {
  const response = await request(url)
    .patch(`/v1/admin/tenants/${tenantId}/limits`)
    .set(admin)
    .send(limits)
    .expect(200);
  return response.body as TenantView;
}
