import { z } from 'zod';

/** A thread id as clients choose them (a uuid, usually): URL-safe, and at most 128 characters. */
export const THREAD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const MAX_METADATA_BYTES = 4 * 1024;

const threadId = z
  .string()
  .regex(THREAD_ID_PATTERN, 'must be 1-128 letters, digits, "-" or "_" (a uuid fits)');

/** A thread's metadata: a JSON object of at most 64 keys and 4 KiB. */
const metadata = z
  .record(z.string().max(64), z.unknown())
  .refine((value) => Object.keys(value).length <= 64, 'at most 64 keys')
  .refine(
    (value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES,
    `at most ${MAX_METADATA_BYTES} bytes of JSON`,
  );

/** POST /lg/threads; keys the SDK adds in later releases (supersteps, ttl, …) are ignored. */
export const threadCreateSchema = z.object({
  thread_id: threadId.optional(),
  supersteps: z
    .array(z.unknown())
    .max(0, 'is not supported: a Bulkhead thread holds no graph state to seed')
    .optional(),
  metadata: metadata.default({}),
  if_exists: z.enum(['raise', 'do_nothing']).default('raise'),
});
export type ThreadCreate = z.output<typeof threadCreateSchema>;

export const threadSearchSchema = z.object({
  metadata: metadata.optional(),
  ids: z.array(threadId).max(1_000).optional(),
  status: z.enum(['idle', 'busy', 'interrupted', 'error']).optional(),
  values: z.record(z.string(), z.unknown()).optional(),
  limit: z.number().int().min(1).max(1_000).default(10),
  offset: z.number().int().min(0).max(100_000).default(0),
  sort_by: z
    .enum(['thread_id', 'status', 'created_at', 'updated_at', 'state_updated_at'])
    .optional(),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
});
export type ThreadSearch = z.output<typeof threadSearchSchema>;

export const threadParamsSchema = z.object({ thread_id: threadId });
