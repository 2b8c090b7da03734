import { z } from 'zod';

const SORTABLE = Object.freeze([
  'assistant_id',
  'graph_id',
  'name',
  'created_at',
  'updated_at',
] as const);

/**
 * POST /lg/assistants/search. Keys the SDK adds in later releases are ignored, as LangGraph's own
 * server ignores them; what is read is checked.
 */
export const assistantSearchSchema = z.object({
  graph_id: z.string().max(200).optional(),
  name: z.string().max(200).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  limit: z.number().int().min(1).max(1_000).default(10),
  offset: z.number().int().min(0).max(1_000_000).default(0),
  sort_by: z.enum(SORTABLE).optional(),
  sort_order: z.enum(['asc', 'desc']).default('asc'),
  select: z.array(z.string().max(64)).max(32).optional(),
});
export type AssistantSearch = z.output<typeof assistantSearchSchema>;

export const assistantParamsSchema = z.strictObject({
  assistant_id: z.string().min(1).max(200),
});
