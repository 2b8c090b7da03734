import { z } from 'zod';
import { AgentContext, defineAgent } from '@bulkhead/worker';

/**
 * A test agent that does, on request, what agent code must not be able to turn into harm: answer
 * what JSON cannot encode, answer or emit more than the bounds allow, or log fields that claim to be
 * another tenant's or run's. The platform must end such a run cleanly, once.
 */
export const misbehaveAgent = defineAgent({
  name: 'misbehave',
  description: 'Test agent: returns or emits what the platform must refuse (see its input).',
  input: z.strictObject({
    output: z.enum(['bigint', 'cycle', 'function', 'huge', 'plain']).default('plain'),
    /** Bytes of the string returned for output "huge", and of the one emitted when given. */
    bytes: z.number().int().min(1).max(20_000_000).default(1_000_000),
    emitBytes: z.number().int().min(1).max(20_000_000).optional(),
    emitCount: z.number().int().min(1).max(1_000).default(1),
    spoofLogIds: z.boolean().default(false),
    /** Sleeps this long without looking at its signal, then tries to emit. */
    ignoreSignalMs: z.number().int().min(1).max(600_000).optional(),
  }),
  run: async (ctx, input) => {
    if (input.ignoreSignalMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, input.ignoreSignalMs));
      await ctx.emit('agent.late', {});
    }
    if (input.spoofLogIds) {
      ctx.logger.info('misbehave.spoof', {
        tenantId: 'someone-else',
        runId: 'run_not_mine',
        level: 'fatal',
        time: 1,
      });
    }
    if (input.emitBytes !== undefined) {
      const rejected = await emitMany(ctx, input.emitBytes, input.emitCount);
      await ctx.emit('agent.emit_result', { rejected: rejected ?? null });
    }
    return outputOf(input.output, input.bytes);
  },
});

/** Emits `count` events of `bytes` each; the first refusal's message, or undefined. */
async function emitMany(
  ctx: AgentContext,
  bytes: number,
  count: number,
): Promise<string | undefined> {
  const text = 'x'.repeat(bytes);
  for (let i = 0; i < count; i += 1) {
    const refused = await ctx.emit('agent.big', { text }).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (refused) {
      return refused;
    }
  }
  return undefined;
}

function outputOf(
  kind: 'bigint' | 'cycle' | 'function' | 'huge' | 'plain',
  bytes: number,
): unknown {
  if (kind === 'bigint') {
    return { count: 10n };
  }
  if (kind === 'function') {
    return () => 'a function is not JSON';
  }
  if (kind === 'huge') {
    return { text: 'x'.repeat(bytes) };
  }
  if (kind === 'plain') {
    return { ok: true };
  }
  const cycle: Record<string, unknown> = { name: 'cycle' };
  cycle.self = cycle;
  return cycle;
}
