import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineAgent } from '@bulkhead/worker';

type Place = 'await' | 'timer' | 'event-emitter' | 'promise-chain' | 'microtask';

/**
 * A diagnostic of the tenant context: emits from every kind of continuation an agent can start. Each
 * emit checks that the ambient context is still this run's, so a context lost or leaked at any of
 * them fails the run.
 */
export const probeAgent = defineAgent({
  name: 'probe',
  description:
    'Emits agent.probe from an await, a timer, an event-emitter callback, a promise chain and a microtask, `rounds` times; returns its `marker`. Diagnoses tenant-context propagation.',
  input: z.strictObject({
    rounds: z.number().int().min(1).max(100).default(3),
    marker: z.string().max(200).default(''),
  }),
  run: async (ctx, { rounds, marker }) => {
    const bus = new EventEmitter();
    for (let round = 1; round <= rounds; round += 1) {
      const emit = (at: Place) => ctx.emit('agent.probe', { round, at, marker });
      await emit('await');
      await sleep(Math.floor(Math.random() * 5), undefined, { signal: ctx.signal });
      await settle((done) => setTimeout(() => done(emit('timer')), Math.random() * 5));
      await settle((done) => {
        bus.once('tick', () => done(emit('event-emitter')));
        setImmediate(() => bus.emit('tick'));
      });
      await Promise.resolve().then(() => emit('promise-chain'));
      await settle((done) => queueMicrotask(() => done(emit('microtask'))));
      ctx.logger.info('probe.round', { round });
    }
    return { rounds, marker };
  },
});

/** Waits for a promise started inside a callback, rejecting if it rejects. */
function settle(start: (done: (work: Promise<void>) => void) => void): Promise<void> {
  return new Promise((resolve, reject) =>
    start((work) => {
      work.then(resolve, reject);
    }),
  );
}
