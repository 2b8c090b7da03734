import { TENANT_ID_PATTERN } from '@bulkhead/context';
import { PROVIDER_TYPES } from '@bulkhead/store';
import { z } from 'zod';

const tenantPattern = `must match ${TENANT_ID_PATTERN.source}`;

export const providerParamsSchema = z.strictObject({
  id: z.string().regex(TENANT_ID_PATTERN, tenantPattern),
  name: z.string().regex(TENANT_ID_PATTERN, tenantPattern),
});
export const tenantProvidersParamsSchema = z.strictObject({
  id: z.string().regex(TENANT_ID_PATTERN, tenantPattern),
});

/** A provider as the admin gives it: the key is sealed at once and never shown again. */
export const providerBodySchema = z.strictObject({
  type: z.enum(PROVIDER_TYPES),
  baseUrl: z.url({ protocol: /^https?$/, message: 'an http or https URL' }).max(2_048),
  apiKey: z.string().min(1).max(4_096),
  /** The models it serves, as the provider names them; empty: whatever a call asks for. */
  models: z.array(z.string().min(1).max(200)).max(64).default([]),
  /** Lower first: calls try providers in this order. */
  priority: z.number().int().min(0).max(1_000).default(100),
  enabled: z.boolean().default(true),
});
export type ProviderBody = z.output<typeof providerBodySchema>;
