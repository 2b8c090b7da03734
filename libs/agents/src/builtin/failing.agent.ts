import { z } from 'zod';
import { defineAgent } from '@bulkhead/worker';

export const failingAgent = defineAgent({
  name: 'failing',
  description: 'Always throws `message`; retried twice, 20 ms apart, then the run ends failed.',
  input: z.strictObject({
    message: z.string().min(1).max(500).default('failing agent failed on purpose'),
  }),
  retries: 2,
  backoff: { type: 'fixed', delayMs: 20 },
  run: async (ctx, { message }) => {
    await ctx.emit('agent.log', { attempt: ctx.attempt });
    throw new Error(message);
  },
});
