import { z } from 'zod';
import { defineAgent } from '@bulkhead/worker';

export const flakyAgent = defineAgent({
  name: 'flaky',
  description:
    'Fails its first `failTimes` attempts with `message`, then succeeds; retried up to 10 times.',
  input: z.strictObject({
    failTimes: z.number().int().min(0).max(10),
    message: z.string().max(500).default('flaky agent failed on purpose'),
  }),
  retries: 10,
  backoff: { type: 'fixed', delayMs: 50 },
  run: async (ctx, { failTimes, message }) => {
    if (ctx.attempt <= failTimes) {
      throw new Error(`${message} (attempt ${ctx.attempt} of ${failTimes + 1})`);
    }
    await ctx.emit('agent.output', { attempt: ctx.attempt });
    return { attempts: ctx.attempt };
  },
});
