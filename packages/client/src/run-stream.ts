import type { RunEventSink } from './run-channel.js';
import { RunEvent, isTerminalEvent } from './types.js';

/** Where a stream's events come from: the client's shared events socket. */
export interface RunEventSource {
  follow(runId: string, sink: RunEventSink): () => void;
}

export interface RunStreamOptions {
  /** Yield only events with an id above this one (default 0: all of them). */
  readonly after?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

type Settled = { readonly kind: 'ended' } | { readonly kind: 'failed'; readonly reason: unknown };

interface Waiter {
  resolve(result: IteratorResult<RunEvent, undefined>): void;
  reject(reason: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * One run's events as an async iterator: every event with an id above `after`, each exactly once and
 * in id order, across reconnects; done right after the run's terminal event. It subscribes on the
 * first `next()`; `return()` (a `break` out of `for await`) or an abort of `signal` unsubscribes.
 * Received events wait in a buffer until pulled. Throws a BulkheadError when the subscription is
 * refused (run_not_found, unauthorized, …) and the signal's reason when aborted.
 */
export class RunStream implements AsyncIterableIterator<RunEvent>, RunEventSink {
  private readonly buffer: RunEvent[] = [];
  private readonly waiters: Waiter[] = [];
  private seen: number;
  private settled: Settled | undefined;
  private leave: (() => void) | undefined;
  private started = false;
  private readonly onAbort = () => this.fail(this.signal?.reason);
  private readonly signal: AbortSignal | undefined;

  constructor(
    private readonly source: RunEventSource,
    private readonly runId: string,
    options: RunStreamOptions = {},
  ) {
    this.seen = options.after ?? 0;
    this.signal = options.signal;
  }

  get lastSeen(): number {
    return this.seen;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<RunEvent, undefined>> {
    if (!this.started) {
      this.start();
    }
    const event = this.buffer.shift();
    if (event) {
      return Promise.resolve({ done: false, value: event });
    }
    if (this.settled?.kind === 'failed') {
      const { reason } = this.settled;
      this.settled = { kind: 'ended' };
      return Promise.reject(reason);
    }
    if (this.settled) {
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stops the stream: unsubscribes, drops what was buffered, and ends pending `next()` calls. */
  return(): Promise<IteratorResult<RunEvent, undefined>> {
    this.started = true;
    this.buffer.length = 0;
    this.settle({ kind: 'ended' });
    return Promise.resolve(DONE);
  }

  /** Accepts the next event of the run; an id already seen is dropped (replays after a reconnect). */
  push(event: RunEvent): void {
    if (this.settled || event.id <= this.seen) {
      return;
    }
    this.seen = event.id;
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve({ done: false, value: event });
    } else {
      this.buffer.push(event);
    }
    if (isTerminalEvent(event)) {
      this.settle({ kind: 'ended' });
    }
  }

  fail(reason: unknown): void {
    if (this.settled) {
      return;
    }
    this.buffer.length = 0;
    this.settle({ kind: 'failed', reason });
  }

  private start(): void {
    this.started = true;
    if (this.signal?.aborted) {
      return this.fail(this.signal.reason);
    }
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.leave = this.source.follow(this.runId, this);
  }

  /** Releases the subscription at once, then answers whoever waits: done, or the failure (once). */
  private settle(settled: Settled): void {
    if (this.settled) {
      return;
    }
    this.settled = settled;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.leave?.();
    this.leave = undefined;
    const waiters = this.waiters.splice(0);
    if (waiters.length === 0) {
      return;
    }
    if (settled.kind === 'failed') {
      this.settled = { kind: 'ended' };
    }
    for (const waiter of waiters) {
      if (settled.kind === 'failed') {
        waiter.reject(settled.reason);
      } else {
        waiter.resolve(DONE);
      }
    }
  }
}
