import { z } from 'zod';
import { defineAgent } from '@bulkhead/worker';

export const echoAgent = defineAgent({
  name: 'echo',
  description: 'Returns its input unchanged and emits it once as agent.output.',
  input: z.record(z.string(), z.unknown()),
  run: async (ctx, input) => {
    await ctx.emit('agent.output', input);
    return input;
  },
});
