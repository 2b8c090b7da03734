import { setImmediate, setTimeout } from 'node:timers/promises';
import { z } from 'zod';
import { defineAgent } from '@bulkhead/worker';

export const tickerAgent = defineAgent({
  name: 'ticker',
  description:
    'Counts to `steps`, waiting `intervalMs` before each step and emitting agent.progress {step, of}.',
  input: z.strictObject({
    steps: z.number().int().min(1).max(10_000),
    intervalMs: z.number().int().min(0).max(60_000).default(100),
  }),
  run: async (ctx, { steps, intervalMs }) => {
    for (let step = 1; step <= steps; step += 1) {
      await pause(intervalMs, ctx.signal);
      await ctx.emit('agent.progress', { step, of: steps });
    }
    ctx.logger.info('ticker.done', { steps });
    return { steps };
  },
});

/** Waits, or rejects as soon as the run is cancelled; a zero interval still yields to I/O. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms === 0) {
    await setImmediate(undefined, { signal });
  } else {
    await setTimeout(ms, undefined, { signal });
  }
}
