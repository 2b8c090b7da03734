import { RUN_STATUSES } from '@bulkhead/store';
import { z } from 'zod';
import type { ZodOpenApiOverrideMetaContext } from 'zod-openapi';

const MAX_METADATA_KEYS = 32;

/** The key count is checked before any value is: a body of a thousand keys costs one check. */
export const runMetadataSchema = z
  .unknown()
  .refine(
    (value) =>
      typeof value !== 'object' || value === null || Object.keys(value).length <= MAX_METADATA_KEYS,
    `at most ${MAX_METADATA_KEYS} keys`,
  )
  .pipe(
    z.record(
      z.string().min(1).max(64),
      z.union([z.string().max(512), z.number(), z.boolean(), z.null()]),
    ),
  );

/** At most 32 keys of at most 64 characters, each value at most 512: about 18 KiB at the most. */
export const submitRunSchema = z.strictObject({
  agent: z.string().min(1).max(64),
  input: z.unknown().optional(),
  metadata: runMetadataSchema.optional(),
});
export type SubmitRun = z.output<typeof submitRunSchema>;

/** Fastify answers 404 for a path parameter over 200 characters before this runs. */
export const runParamsSchema = z.strictObject({ id: z.string().min(1).max(200) });
export type RunParams = z.output<typeof runParamsSchema>;

/** A whole number in a query string; the OpenAPI document shows it as the integer a client sends. */
const integerParam = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback)
    .meta({
      override: ({ jsonSchema }: ZodOpenApiOverrideMetaContext) => {
        Object.assign(jsonSchema, {
          type: 'integer',
          minimum: min,
          maximum: max,
          default: fallback,
        });
        delete jsonSchema.pattern;
      },
    });

export const listRunsQuerySchema = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  limit: integerParam(1, 100, 20),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'must be a nextCursor returned by this endpoint')
    .optional(),
});
export type ListRunsQuery = z.output<typeof listRunsQuerySchema>;

export const runEventsQuerySchema = z.strictObject({
  after: integerParam(0, Number.MAX_SAFE_INTEGER, 0),
  limit: integerParam(1, 1000, 100),
});
export type RunEventsQuery = z.output<typeof runEventsQuerySchema>;

/** Printable ASCII, as HTTP headers carry it; at most 255 characters. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters without spaces')
  .optional();
