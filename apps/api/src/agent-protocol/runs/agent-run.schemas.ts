import { MULTITASK_STRATEGIES } from '@bulkhead/store';
import { z } from 'zod';
import { runMetadataSchema } from '../../runs/run.schemas';
import { THREAD_ID_PATTERN } from '../threads/thread.schemas';

/**
 * The stream modes a client may ask for. values, updates, custom, messages-tuple and metadata
 * carry Bulkhead's events (docs/agent-protocol.md); the others are LangGraph graph internals a
 * Bulkhead agent does not have: accepted, so clients that always ask for them work, and empty.
 */
export const STREAM_MODES = Object.freeze([
  'values',
  'updates',
  'custom',
  'messages-tuple',
  'messages',
  'events',
  'debug',
  'tasks',
  'checkpoints',
  'tools',
] as const);
export type StreamMode = (typeof STREAM_MODES)[number];

const streamMode = z.enum(STREAM_MODES);
const streamModes = z
  .union([streamMode, z.array(streamMode).max(STREAM_MODES.length)])
  .transform((value) => (Array.isArray(value) ? [...new Set(value)] : [value]));

/** A LangGraph feature Bulkhead's agents have no counterpart for: refused rather than ignored. */
const unsupported = (why: string) =>
  z
    .unknown()
    .refine((value) => value === undefined || value === null, `is not supported: ${why}`)
    .optional();

/**
 * The body of runs.create, runs.stream and runs.wait, on a thread or stateless. Keys the SDK adds
 * in later releases (durability, checkpoint_during, …) are ignored.
 */
export const agentRunCreateSchema = z.object({
  assistant_id: z.string().min(1).max(200),
  input: z.unknown().optional(),
  metadata: runMetadataSchema.optional(),
  stream_mode: streamModes.optional(),
  multitask_strategy: z.enum(MULTITASK_STRATEGIES).default('reject'),
  if_not_exists: z.enum(['create', 'reject']).default('reject'),
  on_disconnect: z.enum(['cancel', 'continue']).default('continue'),
  after_seconds: z
    .number()
    .refine(
      (seconds) => seconds === 0,
      'only 0 is supported: a run starts as soon as its thread and a worker slot are free',
    )
    .optional(),
  command: unsupported('a Bulkhead agent is not resumed from an interrupt'),
  checkpoint: unsupported('a Bulkhead thread keeps no checkpoints'),
  checkpoint_id: unsupported('a Bulkhead thread keeps no checkpoints'),
  interrupt_before: unsupported('a Bulkhead agent has no graph nodes to interrupt'),
  interrupt_after: unsupported('a Bulkhead agent has no graph nodes to interrupt'),
  webhook: unsupported('follow the run with runs.join or runs.stream instead'),
});
export type AgentRunCreate = z.output<typeof agentRunCreateSchema>;

const threadId = z.string().regex(THREAD_ID_PATTERN, 'is not a thread id');
const runId = z.string().min(1).max(128);

export const threadRunsParamsSchema = z.object({ thread_id: threadId });
export const threadRunParamsSchema = z.object({ thread_id: threadId, run_id: runId });
export const statelessRunParamsSchema = z.object({ run_id: runId });

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((value) => value === '1' || value === 'true');

export const runListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1_000).default(10),
  offset: z.coerce.number().int().min(0).max(1_000).default(0),
  status: z.enum(['pending', 'running', 'error', 'success', 'timeout', 'interrupted']).optional(),
  select: z.unknown().optional(),
});
export type RunListQuery = z.output<typeof runListQuerySchema>;

export const cancelQuerySchema = z.object({
  wait: flag.default(false),
  action: z.enum(['interrupt', 'rollback']).default('interrupt'),
});
export type CancelQuery = z.output<typeof cancelQuerySchema>;

/** join and joinStream; `after` is Bulkhead's own cursor, carried in the Location it answers with. */
export const joinQuerySchema = z.object({
  cancel_on_disconnect: flag.default(false),
  stream_mode: streamModes.optional(),
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type JoinQuery = z.output<typeof joinQuerySchema>;

/** Last-Event-ID: an id this API sent (a whole number), or -1 for every event from the first. */
export const lastEventIdSchema = z
  .string()
  .regex(/^(-1|\d{1,15})$/, 'must be an event id this API sent, or -1 for every event')
  .transform(Number)
  .optional();
