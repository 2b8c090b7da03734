import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ADMIN_TOKEN } from './platform';

export interface TestTenant {
  readonly id: string;
  readonly key: string;
  readonly keyId: string;
}

export const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

export function bearer(key: string): { Authorization: string } {
  return { Authorization: `Bearer ${key}` };
}

/** A tenant with a fresh id and one API key, created through the admin API. */
export async function createTenant(url: string, label = 't'): Promise<TestTenant> {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  await request(url).post('/v1/admin/tenants').set(admin).send({ id }).expect(201);
  const issued = await request(url).post(`/v1/admin/tenants/${id}/keys`).set(admin).expect(201);
  return { id, key: issued.body.key, keyId: issued.body.id };
}
