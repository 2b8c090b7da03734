import { z } from 'zod';
import { defineAgent } from './agent';
import { AgentEventRejectedError } from './runtime/agent-event';
import { runAgent } from './testing';

const counter = defineAgent({
  name: 'counter',
  description: 'Counts to `to`, emitting agent.progress at each step.',
  input: z.strictObject({ to: z.number().int().min(1), label: z.string().default('n') }),
  run: async (ctx, { to, label }) => {
    for (let step = 1; step <= to; step += 1) {
      ctx.signal.throwIfAborted();
      await ctx.emit('agent.progress', { step, of: to });
    }
    ctx.logger.info('counter.done', { to });
    return { label, counted: to, tenant: ctx.tenantId };
  },
});

describe('runAgent (@bulkhead/worker/testing)', () => {
  it('should resolve with the output, the events in order and the log lines', async () => {
    const sut = await runAgent(counter, { to: 2 }, { tenantId: 'acme' });

    expect(sut.output).toEqual({ label: 'n', counted: 2, tenant: 'acme' });
    expect(sut.events).toEqual([
      { type: 'agent.progress', data: { step: 1, of: 2 } },
      { type: 'agent.progress', data: { step: 2, of: 2 } },
    ]);
    expect(sut.logs).toEqual([{ level: 'info', event: 'counter.done', fields: { to: 2 } }]);
  });

  it('should refuse input the agent schema refuses, as a worker would', async () => {
    await expect(runAgent(counter, { to: 0 })).rejects.toThrow(z.ZodError);
  });

  it('should reject an emit a worker would reject, so the agent sees it in its test', async () => {
    const badEmitter = defineAgent({
      name: 'bad-emitter',
      description: 'Emits outside the agent.* namespace.',
      input: z.object({}),
      run: async (ctx) => ctx.emit('run.succeeded', {}),
    });

    await expect(runAgent(badEmitter, {})).rejects.toThrow(AgentEventRejectedError);
  });

  it('should record an event as JSON carries it', async () => {
    const dated = defineAgent({
      name: 'dated',
      description: 'Emits a Date.',
      input: z.object({}),
      run: async (ctx) => ctx.emit('agent.at', { at: new Date(0), skipped: undefined }),
    });

    const sut = await runAgent(dated, {});

    expect(sut.events).toEqual([{ type: 'agent.at', data: { at: '1970-01-01T00:00:00.000Z' } }]);
  });

  it('should let a test cancel the run through the signal it passes', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));

    await expect(runAgent(counter, { to: 3 }, { signal: controller.signal })).rejects.toThrow(
      'cancelled',
    );
  });
});
