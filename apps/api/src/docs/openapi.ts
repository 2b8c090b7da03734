import { RUN_STATUSES } from '@bulkhead/store';
import { z } from 'zod';
import { listRunsQuerySchema, runEventsQuerySchema, submitRunSchema } from '../runs/run.schemas';
import { createTenantSchema, limitsPatchSchema } from '../tenants/tenant.schemas';

const runSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  agent: z.string(),
  status: z.enum(RUN_STATUSES),
  input: z.unknown(),
  output: z.unknown().optional(),
  error: z.object({ message: z.string() }).optional(),
  attempts: z.number().int(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  cancelRequestedAt: z.string().optional(),
});
const eventSchema = z.object({
  id: z.number().int(),
  runId: z.string(),
  type: z.string(),
  data: z.unknown(),
  ts: z.string(),
});
const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  limits: z.object({
    maxConcurrentRuns: z.number().int(),
    maxQueuedRuns: z.number().int(),
    runsPerMinute: z.number().int(),
  }),
  usage: z.object({ queued: z.number().int(), running: z.number().int() }),
});
const errorSchema = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const json = (schema: z.ZodType) => ({
  'application/json': { schema: z.toJSONSchema(schema, { io: 'output' }) },
});
const answer = (description: string, schema: z.ZodType = errorSchema) => ({
  description,
  content: json(schema),
});
const failures = {
  400: answer('The request is malformed; the message and details name each field.'),
  401: answer('Missing, unknown or revoked credentials.'),
};
const runId = Object.freeze({ name: 'id', in: 'path', required: true, schema: { type: 'string' } });

function queryParameters(schema: z.ZodObject) {
  return Object.keys(schema.shape).map((name) => ({
    name,
    in: 'query',
    required: false,
    schema: { type: 'string' },
  }));
}

/** OpenAPI 3.1 for the v1 API; request bodies come from the validating zod schemas. */
export function openApiDocument(agentNames: string[]): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bulkhead',
      version: '1',
      description: `Agents: ${agentNames.join(', ')}. See docs/api.md.`,
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/v1/admin/tenants': {
        post: {
          summary: 'Create a tenant (admin token)',
          requestBody: { content: json(createTenantSchema) },
          responses: {
            201: answer('Created', tenantSchema),
            409: answer('The tenant exists.'),
            ...failures,
          },
        },
      },
      '/v1/admin/tenants/{id}': {
        get: {
          summary: 'A tenant with the limits in force and its live usage (admin token)',
          responses: { 200: answer('The tenant', tenantSchema), 404: answer('No such tenant.') },
        },
      },
      '/v1/admin/tenants/{id}/limits': {
        patch: {
          summary: 'Change limits; null returns one to its default; applies at once (admin token)',
          requestBody: { content: json(limitsPatchSchema) },
          responses: {
            200: answer('The tenant', tenantSchema),
            404: answer('No such tenant.'),
            ...failures,
          },
        },
      },
      '/v1/admin/tenants/{id}/keys': {
        post: {
          summary: 'Issue an API key; the key is shown only here (admin token)',
          responses: {
            201: { description: '{id, key}' },
            404: answer('No such tenant.'),
            ...failures,
          },
        },
      },
      '/v1/admin/tenants/{id}/keys/{keyId}': {
        delete: {
          summary: 'Revoke a key; its sockets are dropped (admin token)',
          responses: { 204: { description: 'Revoked' }, 404: answer('No such key.'), ...failures },
        },
      },
      '/v1/agents': {
        get: {
          summary: 'Agents and their input JSON Schemas',
          responses: { 200: { description: 'Agents' }, ...failures },
        },
      },
      '/v1/runs': {
        post: {
          summary: 'Submit a run',
          requestBody: { content: json(submitRunSchema) },
          responses: {
            202: answer('Queued', runSchema),
            413: answer('Body over 1 MiB.'),
            429: answer('maxQueuedRuns reached, or runsPerMinute (with Retry-After).'),
            503: answer('Could not be queued; retry.'),
            ...failures,
          },
        },
        get: {
          summary: "This tenant's runs, newest first",
          parameters: queryParameters(listRunsQuerySchema),
          responses: {
            200: answer(
              'A page',
              z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() }),
            ),
            ...failures,
          },
        },
      },
      '/v1/runs/{id}': {
        get: {
          summary: 'A run',
          parameters: [runId],
          responses: {
            200: answer('The run', runSchema),
            404: answer('No such run for this tenant.'),
            ...failures,
          },
        },
      },
      '/v1/runs/{id}/cancel': {
        post: {
          summary: 'Cancel a run',
          parameters: [runId],
          responses: {
            202: answer('Cancelled or cancelling', runSchema),
            404: answer('No such run.'),
            409: answer('Already finished.'),
            ...failures,
          },
        },
      },
      '/v1/runs/{id}/events': {
        get: {
          summary: "A run's stored events, in id order",
          parameters: [runId, ...queryParameters(runEventsQuerySchema)],
          responses: {
            200: answer('Events', z.object({ items: z.array(eventSchema) })),
            404: answer('No such run.'),
            ...failures,
          },
        },
      },
      '/healthz': {
        get: { summary: 'Process up', security: [], responses: { 200: { description: 'Up' } } },
      },
      '/readyz': {
        get: {
          summary: 'Redis reachable',
          security: [],
          responses: { 200: { description: 'Ready' }, 503: answer('Not ready') },
        },
      },
    },
  };
}
