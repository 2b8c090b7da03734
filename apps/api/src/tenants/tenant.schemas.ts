import { TENANT_ID_PATTERN } from '@bulkhead/context';
import { z } from 'zod';

const tenantId = z.string().regex(TENANT_ID_PATTERN, 'must match ^[a-z0-9][a-z0-9-]{1,62}$');

export const limitsSchema = z.strictObject({
  maxConcurrentRuns: z.number().int().min(1).max(10_000).optional(),
  maxQueuedRuns: z.number().int().min(1).max(10_000_000).optional(),
  runsPerMinute: z.number().int().min(1).max(1_000_000).optional(),
});

export const createTenantSchema = z.strictObject({
  id: tenantId,
  name: z.string().min(1).max(200).optional(),
  limits: limitsSchema.optional(),
});
export type CreateTenant = z.output<typeof createTenantSchema>;

export const tenantParamsSchema = z.strictObject({ id: tenantId });
export const keyParamsSchema = z.strictObject({ id: tenantId, keyId: z.string().min(1).max(64) });
