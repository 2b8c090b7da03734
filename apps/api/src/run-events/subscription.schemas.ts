import { z } from 'zod';

const eventId = z.union([
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^\d{1,15}$/, 'must be a whole number')
    .transform(Number),
]);

export const subscribeSchema = z.strictObject({
  runId: z.string().min(1).max(128),
  after: eventId.optional(),
});

export const unsubscribeSchema = z.strictObject({
  runId: z.string().min(1).max(128),
});
