import { TENANT_ID_PATTERN } from '@bulkhead/context';
import { AGENT_NAME_PATTERN } from '@bulkhead/store';
import { z } from 'zod';

const tenantId = z.string().regex(TENANT_ID_PATTERN, 'must match ^[a-z0-9][a-z0-9-]{1,62}$');

// maxQueuedRuns and maxStoredRuns stay within 100,000 runs, so a tenant's run indexes stay small.
const limitFields = {
  maxConcurrentRuns: z.number().int().min(1).max(10_000),
  maxQueuedRuns: z.number().int().min(1).max(100_000),
  runsPerMinute: z.number().int().min(1).max(1_000_000),
  maxStoredRuns: z.number().int().min(1).max(100_000),
  // 0: no limit of the tenant's own, even where TENANT_MAX_TOKENS_PER_DAY sets a default.
  maxTokensPerDay: z.number().int().min(0).max(1_000_000_000_000),
};

export const limitsSchema = z.strictObject({
  maxConcurrentRuns: limitFields.maxConcurrentRuns.optional(),
  maxQueuedRuns: limitFields.maxQueuedRuns.optional(),
  runsPerMinute: limitFields.runsPerMinute.optional(),
  maxStoredRuns: limitFields.maxStoredRuns.optional(),
  maxTokensPerDay: limitFields.maxTokensPerDay.optional(),
});

/** A change of limits: a number sets the tenant's own, null returns it to the configured default. */
export const limitsPatchSchema = z
  .strictObject({
    maxConcurrentRuns: limitFields.maxConcurrentRuns.nullable().optional(),
    maxQueuedRuns: limitFields.maxQueuedRuns.nullable().optional(),
    runsPerMinute: limitFields.runsPerMinute.nullable().optional(),
    maxStoredRuns: limitFields.maxStoredRuns.nullable().optional(),
    maxTokensPerDay: limitFields.maxTokensPerDay.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, {
    message:
      'name at least one of maxConcurrentRuns, maxQueuedRuns, runsPerMinute, maxStoredRuns, maxTokensPerDay',
  });
export type LimitsPatch = z.output<typeof limitsPatchSchema>;

const agentName = z.string().regex(AGENT_NAME_PATTERN, `must match ${AGENT_NAME_PATTERN.source}`);

/** A change of the tenant's record: `agents` names the agents it may use, null every agent. */
export const tenantPatchSchema = z
  .strictObject({
    agents: z.array(agentName).max(1_000).nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'name at least agents' });
export type TenantPatch = z.output<typeof tenantPatchSchema>;

export const createTenantSchema = z.strictObject({
  id: tenantId,
  name: z.string().min(1).max(200).optional(),
  limits: limitsSchema.optional(),
});
export type CreateTenant = z.output<typeof createTenantSchema>;

export const tenantParamsSchema = z.strictObject({ id: tenantId });
export const keyParamsSchema = z.strictObject({ id: tenantId, keyId: z.string().min(1).max(64) });
