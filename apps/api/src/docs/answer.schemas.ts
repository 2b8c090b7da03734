import type { AgentListing } from '../agents/agent-listing';
import type { ErrorBody } from '@bulkhead/errors';
import {
  IssuedKey,
  MAX_RUN_USAGE_ENTRIES,
  RUN_STATUSES,
  Run,
  RunEvent,
  RunPage,
  RunSummary,
} from '@bulkhead/store';
import { z } from 'zod';
import type { TenantView } from '../tenants/tenant-accounts.service';

/**
 * What the API answers, as zod schemas the OpenAPI document is generated from. The domain types stay
 * the source of truth for the code; the checks at the end of this file fail the build if a schema
 * and its type drift apart.
 */
const timestamp = z.string().meta({ format: 'date-time', example: '2026-12-01T10:00:00.000Z' });
const runId = z.string().meta({ example: 'run_0mwsu7y1a-cYT-o2YYCLUc6THmY3TJg' });

export const runSchema = z
  .object({
    id: runId,
    tenantId: z.string(),
    agent: z.string(),
    status: z.enum(RUN_STATUSES),
    input: z.unknown().meta({ description: "The agent's input as validated, defaults applied." }),
    output: z.unknown().optional().meta({ description: 'Once succeeded.' }),
    error: z
      .object({
        message: z.string(),
        code: z
          .string()
          .optional()
          .meta({ description: 'When the platform ended it: timed_out, output_not_json, …' }),
      })
      .optional()
      .meta({ description: 'Once failed.' }),
    attempts: z.number().int().meta({ description: 'How many times execution started.' }),
    metadata: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .optional(),
    createdAt: timestamp,
    startedAt: timestamp.optional(),
    finishedAt: timestamp.optional(),
    cancelRequestedAt: timestamp.optional(),
    usage: z
      .object({
        inputTokens: z.number().int(),
        outputTokens: z.number().int(),
        calls: z.number().int(),
        byModel: z
          .array(
            z.object({
              provider: z.string(),
              model: z.string(),
              inputTokens: z.number().int(),
              outputTokens: z.number().int(),
              calls: z.number().int(),
            }),
          )
          .meta({
            description: `By provider and model; at most ${MAX_RUN_USAGE_ENTRIES} entries, the rest counted under "(other)".`,
          }),
      })
      .optional()
      .meta({
        description:
          'The LLM tokens the run used (ctx.llm), over all its attempts, as providers reported them; absent until its first call.',
      }),
  })
  .meta({
    id: 'Run',
    example: {
      id: 'run_0mwsu7y1a-cYT-o2YYCLUc6THmY3TJg',
      tenantId: 'acme',
      agent: 'ticker',
      status: 'succeeded',
      input: { steps: 3, intervalMs: 50 },
      output: { steps: 3 },
      attempts: 1,
      metadata: { ticket: 'T-1' },
      createdAt: '2026-12-01T10:00:00.000Z',
      startedAt: '2026-12-01T10:00:00.020Z',
      finishedAt: '2026-12-01T10:00:00.190Z',
    },
  });

export const runSummarySchema = runSchema.omit({ input: true, output: true, usage: true }).meta({
  id: 'RunSummary',
  description: 'A run without its input, output and usage (GET /v1/runs/:id).',
});

export const runPageSchema = z
  .object({
    items: z.array(runSummarySchema),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass back as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ id: 'RunPage' });

export const runEventSchema = z
  .object({
    id: z
      .number()
      .int()
      .meta({ description: '1, 2, 3 … within a run; resume after the last seen.' }),
    runId,
    type: z.string().meta({ example: 'agent.progress' }),
    data: z.unknown(),
    ts: timestamp,
  })
  .meta({
    id: 'RunEvent',
    example: {
      id: 3,
      runId: 'run_0mwsu7y1a-cYT-o2YYCLUc6THmY3TJg',
      type: 'agent.progress',
      data: { step: 1, of: 3 },
      ts: '2026-12-01T10:00:00.070Z',
    },
  });

export const eventPageSchema = z
  .object({ items: z.array(runEventSchema) })
  .meta({ id: 'EventPage' });

export const agentSchema = z
  .object({
    name: z.string().meta({ example: 'ticker' }),
    description: z.string(),
    inputSchema: z.record(z.string(), z.unknown()).meta({ description: 'JSON Schema of `input`.' }),
    version: z.string().meta({
      description: 'The version registered last, whose description and inputSchema are listed.',
      example: '3f9c2a1b7d4e6f80',
    }),
    workers: z.number().int().min(0).meta({
      description: 'Live worker processes serving the agent now; with 0, its runs wait for one.',
      example: 2,
    }),
    versions: z.array(z.object({ version: z.string(), workers: z.number().int().min(1) })).meta({
      description:
        'The versions live workers serve, with how many serve each: two or more while a deploy rolls, and then a run must suit each.',
    }),
  })
  .meta({ id: 'Agent' });

const limitValues = z.object({
  maxConcurrentRuns: z.number().int(),
  maxQueuedRuns: z.number().int(),
  runsPerMinute: z.number().int(),
  maxStoredRuns: z.number().int(),
  maxTokensPerDay: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'LLM tokens (input and output) per UTC day; null: no limit.' }),
});

export const tenantSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: timestamp,
    agents: z
      .array(z.string())
      .nullable()
      .meta({ description: 'The agents the tenant may use, by name; null: every agent.' }),
    limits: limitValues.meta({ description: 'The limits in force: its own or the defaults.' }),
    usage: z
      .object({
        queued: z.number().int(),
        running: z.number().int(),
        stored: z.number().int().meta({ description: 'Runs kept, finished or not.' }),
        tokensByDay: z
          .array(
            z.object({
              day: z.string().meta({ format: 'date', example: '2026-12-01' }),
              inputTokens: z.number().int(),
              outputTokens: z.number().int(),
              calls: z.number().int(),
            }),
          )
          .meta({
            description:
              'LLM tokens by UTC day: today first (what maxTokensPerDay counts), then each of the 7 days before it that had any.',
          }),
      })
      .meta({ description: 'Live, across every process.' }),
  })
  .meta({
    id: 'Tenant',
    example: {
      id: 'acme',
      name: 'acme',
      createdAt: '2026-12-01T10:00:00.000Z',
      agents: null,
      limits: {
        maxConcurrentRuns: 10,
        maxQueuedRuns: 10000,
        runsPerMinute: 600,
        maxStoredRuns: 10000,
        maxTokensPerDay: null,
      },
      usage: {
        queued: 0,
        running: 0,
        stored: 0,
        tokensByDay: [{ day: '2026-12-01', inputTokens: 0, outputTokens: 0, calls: 0 }],
      },
    },
  });

export const issuedKeySchema = z
  .object({
    id: z.string().meta({ example: 'key_9f2c1d7e' }),
    key: z.string().meta({ description: 'Shown only in this answer.', example: 'bk_acme_…' }),
  })
  .meta({ id: 'IssuedKey' });

export const errorSchema = z
  .object({
    statusCode: z.number().int(),
    code: z.string().meta({ description: 'Stable; see docs/api.md for every code.' }),
    message: z.string().meta({ description: 'What went wrong and what to fix.' }),
    details: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'One entry per field that failed validation.' }),
  })
  .meta({
    id: 'Error',
    example: {
      statusCode: 400,
      code: 'invalid_request',
      message: 'input.steps: Too big: expected number to be <=10000',
      details: [{ path: 'input.steps', message: 'Too big: expected number to be <=10000' }],
    },
  });

export const healthSchema = z.object({ status: z.string() }).meta({ id: 'Health' });

/** True when A and B are the same type; used only in the compile-time checks below. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Checked<T extends true> = T;
type Plain<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };

export type SchemaChecks = [
  Checked<Same<keyof z.output<typeof runSchema>, keyof Run>>,
  Checked<Same<z.output<typeof runSchema>['status'], Run['status']>>,
  Checked<Same<keyof z.output<typeof runEventSchema>, keyof RunEvent>>,
  Checked<Same<keyof z.output<typeof runPageSchema>, keyof RunPage>>,
  Checked<Same<keyof z.output<typeof runSummarySchema>, keyof RunSummary>>,
  Checked<Same<z.output<typeof runSchema>['error'], Plain<Run['error']> | undefined>>,
  Checked<Same<z.output<typeof runSchema>['usage'], Plain<Run['usage']> | undefined>>,
  Checked<Same<keyof z.output<typeof agentSchema>, keyof AgentListing>>,
  Checked<Same<keyof z.output<typeof tenantSchema>, keyof TenantView>>,
  Checked<Same<z.output<typeof tenantSchema>['limits'], Plain<TenantView['limits']>>>,
  Checked<Same<z.output<typeof tenantSchema>['usage'], Plain<TenantView['usage']>>>,
  Checked<Same<z.output<typeof issuedKeySchema>, Plain<IssuedKey>>>,
  Checked<Same<keyof z.output<typeof errorSchema>, keyof ErrorBody>>,
];

export const providerSchema = z
  .object({
    name: z.string().meta({ example: 'openai' }),
    type: z.enum(['openai-compatible', 'anthropic']),
    baseUrl: z.string().meta({ example: 'https://api.openai.com/v1' }),
    models: z.array(z.string()),
    priority: z.number().int(),
    enabled: z.boolean(),
    keyHint: z.string().meta({
      description: "The key's last 4 characters (empty for a key under 8); the key is never shown.",
      example: 'x9Qa',
    }),
    updatedAt: z.string(),
    health: z
      .object({
        state: z.enum(['healthy', 'open', 'half_open', 'rate_limited', 'disabled']),
        until: z.string().optional(),
      })
      .meta({
        description:
          'Live, shared by every worker: `open` (breaker open until `until`), `half_open` (the next call is a trial), `rate_limited` (cooling down until `until`), `disabled` (its key was refused; a PUT with new credentials enables it).',
      }),
  })
  .meta({ id: 'Provider' });
