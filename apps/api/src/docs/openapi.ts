import { z } from 'zod';
import { ZodOpenApiOperationObject, ZodOpenApiResponsesObject, createDocument } from 'zod-openapi';
import {
  idempotencyKeySchema,
  listRunsQuerySchema,
  runEventsQuerySchema,
  runParamsSchema,
  submitRunSchema,
} from '../runs/run.schemas';
import {
  createTenantSchema,
  keyParamsSchema,
  limitsPatchSchema,
  tenantPatchSchema,
  tenantParamsSchema,
} from '../tenants/tenant.schemas';
import {
  providerBodySchema,
  providerParamsSchema,
  tenantProvidersParamsSchema,
} from '../providers/provider.schemas';
import {
  agentSchema,
  errorSchema,
  eventPageSchema,
  healthSchema,
  issuedKeySchema,
  providerSchema,
  runPageSchema,
  runSchema,
  tenantSchema,
} from './answer.schemas';

// Functions, not shared arrays: each operation gets its own copy to carry into the document.
const tenantKey = () => [{ tenantKey: [] }];
const adminToken = () => [{ adminToken: [] }];

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const answer = (description: string, schema: z.ZodType = errorSchema) => ({
  description,
  content: json(schema),
});
const retryAfter = z
  .string()
  .meta({ description: 'Seconds until the rate admits the next submission.', example: '2' });

const UNAUTHORIZED = answer('Missing, unknown or revoked credentials.');
const UNAVAILABLE = answer('Redis is unreachable; retry shortly.');
const INVALID = answer('A value fails validation; `details` names each field.');

/** The errors every authenticated route can answer, plus the given ones. */
function failures(extra: ZodOpenApiResponsesObject = {}): ZodOpenApiResponsesObject {
  return { 401: UNAUTHORIZED, 503: UNAVAILABLE, ...extra };
}

const runOperations: Record<string, Record<string, ZodOpenApiOperationObject>> = {
  '/v1/runs': {
    post: {
      operationId: 'createRun',
      tags: ['runs'],
      summary: 'Submit a run',
      description:
        'Queues a run of an agent. With an `Idempotency-Key` used by this tenant in the last 24 h ' +
        'for the same request, answers 200 with the first run and queues nothing.',
      security: tenantKey(),
      requestParams: { header: z.object({ 'idempotency-key': idempotencyKeySchema }) },
      requestBody: {
        required: true,
        content: json(submitRunSchema.meta({ example: { agent: 'ticker', input: { steps: 3 } } })),
      },
      responses: {
        200: answer('A replay of an earlier submission with the same Idempotency-Key.', runSchema),
        202: answer('Queued.', runSchema),
        ...failures({
          400: answer('Unknown agent, or a field of the input fails its schema.'),
          409: answer('The Idempotency-Key was used for a different request.'),
          413: answer(
            '`payload_too_large`: the body is over 1 MiB; `input_too_large`: the input is over RUN_INPUT_MAX_BYTES.',
          ),
          429: {
            ...answer(
              'A tenant limit (`storage_quota`, `max_queued_runs`, `runs_per_minute` with Retry-After); nothing was created.',
            ),
            headers: z.object({ 'retry-after': retryAfter }),
          },
        }),
      },
    },
    get: {
      operationId: 'listRuns',
      tags: ['runs'],
      summary: "This tenant's runs, newest first",
      security: tenantKey(),
      requestParams: { query: listRunsQuerySchema },
      responses: { 200: answer('A page of runs.', runPageSchema), ...failures({ 400: INVALID }) },
    },
  },
  '/v1/runs/{id}': {
    get: {
      operationId: 'getRun',
      tags: ['runs'],
      summary: 'A run',
      security: tenantKey(),
      requestParams: { path: runParamsSchema },
      responses: {
        200: answer('The run.', runSchema),
        ...failures({ 404: answer('No such run for this tenant.') }),
      },
    },
  },
  '/v1/runs/{id}/cancel': {
    post: {
      operationId: 'cancelRun',
      tags: ['runs'],
      summary: 'Cancel a run',
      description:
        'A queued run is cancelled at once; a running one gets `cancelRequestedAt`, its agent is ' +
        'signalled on whichever worker runs it, and it ends `cancelled`.',
      security: tenantKey(),
      requestParams: { path: runParamsSchema },
      responses: {
        202: answer('Cancelled, or cancelling.', runSchema),
        ...failures({
          404: answer('No such run for this tenant.'),
          409: answer('The run already finished.'),
        }),
      },
    },
  },
  '/v1/runs/{id}/events': {
    get: {
      operationId: 'listRunEvents',
      tags: ['runs'],
      summary: "A run's stored events, in id order",
      security: tenantKey(),
      requestParams: { path: runParamsSchema, query: runEventsQuerySchema },
      responses: {
        200: answer('Events with an id greater than `after`.', eventPageSchema),
        ...failures({ 400: INVALID, 404: answer('No such run for this tenant.') }),
      },
    },
  },
  '/v1/agents': {
    get: {
      operationId: 'listAgents',
      tags: ['agents'],
      summary: 'The agents and the JSON Schemas of their input',
      security: tenantKey(),
      responses: { 200: answer('The agents.', z.array(agentSchema)), ...failures() },
    },
  },
};

const adminOperations: Record<string, Record<string, ZodOpenApiOperationObject>> = {
  '/v1/admin/tenants': {
    post: {
      operationId: 'createTenant',
      tags: ['admin'],
      summary: 'Create a tenant',
      security: adminToken(),
      requestBody: {
        required: true,
        content: json(createTenantSchema.meta({ example: { id: 'acme', name: 'Acme' } })),
      },
      responses: {
        201: answer('Created.', tenantSchema),
        ...failures({ 400: INVALID, 409: answer('The tenant exists.') }),
      },
    },
  },
  '/v1/admin/tenants/{id}': {
    get: {
      operationId: 'getTenant',
      tags: ['admin'],
      summary: 'A tenant with the limits in force and its live usage',
      security: adminToken(),
      requestParams: { path: tenantParamsSchema },
      responses: {
        200: answer('The tenant.', tenantSchema),
        ...failures({ 400: INVALID, 404: answer('No such tenant.') }),
      },
    },
    patch: {
      operationId: 'updateTenant',
      tags: ['admin'],
      summary: 'Change which agents a tenant may use',
      description:
        '`agents` is the whole list of agent names the tenant may use (null: every agent); an agent ' +
        'it may not use is absent from its `GET /v1/agents` and answers like an unknown one.',
      security: adminToken(),
      requestParams: { path: tenantParamsSchema },
      requestBody: {
        required: true,
        content: json(tenantPatchSchema.meta({ example: { agents: ['echo', 'ticker'] } })),
      },
      responses: {
        200: answer('The tenant.', tenantSchema),
        ...failures({ 400: INVALID, 404: answer('No such tenant.') }),
      },
    },
  },
  '/v1/admin/tenants/{id}/limits': {
    patch: {
      operationId: 'updateTenantLimits',
      tags: ['admin'],
      summary: "Change a tenant's limits",
      description: 'A number sets a limit, null returns it to the default; applies at once.',
      security: adminToken(),
      requestParams: { path: tenantParamsSchema },
      requestBody: {
        required: true,
        content: json(limitsPatchSchema.meta({ example: { maxConcurrentRuns: 25 } })),
      },
      responses: {
        200: answer('The tenant.', tenantSchema),
        ...failures({ 400: INVALID, 404: answer('No such tenant.') }),
      },
    },
  },
  '/v1/admin/tenants/{id}/keys': {
    post: {
      operationId: 'createApiKey',
      tags: ['admin'],
      summary: 'Issue an API key',
      description: 'The key is shown only in this answer; only its SHA-256 is stored.',
      security: adminToken(),
      requestParams: { path: tenantParamsSchema },
      responses: {
        201: answer('Issued.', issuedKeySchema),
        ...failures({ 400: INVALID, 404: answer('No such tenant.') }),
      },
    },
  },
  '/v1/admin/tenants/{id}/providers': {
    get: {
      operationId: 'listProviders',
      tags: ['admin'],
      summary: "A tenant's LLM providers, in the order calls try them",
      security: adminToken(),
      requestParams: { path: tenantProvidersParamsSchema },
      responses: {
        200: answer('The providers, by priority then name.', z.array(providerSchema)),
        ...failures({ 400: INVALID, 404: answer('No such tenant.') }),
      },
    },
  },
  '/v1/admin/tenants/{id}/providers/{name}': {
    put: {
      operationId: 'putProvider',
      tags: ['admin'],
      summary: 'Create or replace a provider and its key',
      description:
        'The key is encrypted at rest (AES-256-GCM) and never returned: answers show `keyHint`. ' +
        'A tenant has at most 16 providers. 503 `secrets_unconfigured` without BULKHEAD_SECRETS_KEY.',
      security: adminToken(),
      requestParams: { path: providerParamsSchema },
      requestBody: {
        required: true,
        content: json(
          providerBodySchema.meta({
            example: {
              type: 'openai-compatible',
              baseUrl: 'https://api.openai.com/v1',
              apiKey: 'sk-…',
              models: ['gpt-4o-mini'],
              priority: 10,
            },
          }),
        ),
      },
      responses: {
        200: answer('The provider.', providerSchema),
        ...failures({
          400: INVALID,
          404: answer('No such tenant.'),
          409: answer('The tenant has 16 providers already.'),
        }),
      },
    },
    delete: {
      operationId: 'deleteProvider',
      tags: ['admin'],
      summary: 'Remove a provider and its key',
      security: adminToken(),
      requestParams: { path: providerParamsSchema },
      responses: {
        204: { description: 'Removed.' },
        ...failures({ 400: INVALID, 404: answer('No such tenant, or no such provider.') }),
      },
    },
  },
  '/v1/admin/tenants/{id}/keys/{keyId}': {
    delete: {
      operationId: 'revokeApiKey',
      tags: ['admin'],
      summary: 'Revoke an API key',
      description: 'Refused on HTTP at once; its sockets are dropped on every API process.',
      security: adminToken(),
      requestParams: { path: keyParamsSchema },
      responses: {
        204: { description: 'Revoked.' },
        ...failures({ 400: INVALID, 404: answer('No such key.') }),
      },
    },
  },
};

const healthOperations: Record<string, Record<string, ZodOpenApiOperationObject>> = {
  '/healthz': {
    get: {
      operationId: 'health',
      tags: ['health'],
      summary: 'The process is up',
      security: [],
      responses: { 200: answer('Up.', healthSchema) },
    },
  },
  '/readyz': {
    get: {
      operationId: 'ready',
      tags: ['health'],
      summary: 'Redis answers and the process is not stopping',
      security: [],
      responses: { 200: answer('Ready.', healthSchema), 503: answer('Not ready; the reason.') },
    },
  },
};

const tags = () => [
  { name: 'runs', description: 'Submit runs, follow and cancel them (tenant API key).' },
  { name: 'agents', description: 'What can be run (tenant API key).' },
  { name: 'admin', description: 'Tenants, limits and keys (admin token).' },
  { name: 'health', description: 'Liveness and readiness probes (no credentials).' },
];

/**
 * The OpenAPI 3.1 document of the v1 HTTP API, generated from the zod schemas the routes validate
 * with and the answer schemas beside this file. Its server is relative: the API that serves it.
 */
export function openApiDocument(): Record<string, unknown> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Bulkhead',
      version: '1',
      description:
        'Multi-tenant agent runs. The agents are those workers registered: `GET /v1/agents` lists ' +
        'them with their input schemas. Live events are on the socket.io namespace `/events` ' +
        '(see docs/api.md).',
    },
    servers: [{ url: '/', description: 'The API process serving this document' }],
    tags: tags(),
    components: {
      securitySchemes: {
        tenantKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'bk_<tenantId>_<secret>',
          description: 'A tenant API key; the tenant comes only from the key.',
        },
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'BULKHEAD_ADMIN_TOKEN, for the /v1/admin routes.',
        },
      },
    },
    paths: { ...runOperations, ...adminOperations, ...healthOperations },
  }) as unknown as Record<string, unknown>;
}
