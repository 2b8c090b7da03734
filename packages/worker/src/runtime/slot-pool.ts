/** What the pool steers of one agent's BullMQ worker: how much it fetches, and whether at all. */
export interface SlotConsumer {
  concurrency: number;
  isPaused(): boolean;
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): Promise<void>;
}

/**
 * The process's WORKER_CONCURRENCY slots, shared by the queues of every agent it serves: a run takes
 * a slot before it starts and gives it back when its attempt ends, so the process never runs more
 * than its slots whatever queue the runs come from. Each agent's worker fetches at most its own runs
 * plus the free slots, and none fetches while none is free; two that fetch the last slot at once
 * find out at take(), and the loser hands its job back to the queue, unstarted.
 */
export class SlotPool {
  private busy = 0;
  private stopped = false;
  private readonly running = new Map<SlotConsumer, number>();

  constructor(
    private readonly size: number,
    private readonly onSteerFailure: (error: unknown) => void,
  ) {}

  add(consumer: SlotConsumer): void {
    this.running.set(consumer, 0);
    consumer.concurrency = this.size;
  }

  get free(): number {
    return this.size - this.busy;
  }

  /** A slot for a run the consumer fetched; false when every slot is taken: hand the run back. */
  take(consumer: SlotConsumer): boolean {
    if (this.busy >= this.size) {
      this.steer();
      return false;
    }
    this.busy += 1;
    this.running.set(consumer, (this.running.get(consumer) ?? 0) + 1);
    this.steer();
    return true;
  }

  release(consumer: SlotConsumer): void {
    this.busy -= 1;
    this.running.set(consumer, (this.running.get(consumer) ?? 1) - 1);
    this.steer();
  }

  /** The worker is closing its consumers: none is paused or resumed from now on. */
  stop(): void {
    this.stopped = true;
  }

  private steer(): void {
    if (this.stopped) {
      return;
    }
    const free = this.free;
    for (const [consumer, own] of this.running) {
      if (free === 0) {
        if (!consumer.isPaused()) {
          consumer.pause(true).catch(this.onSteerFailure);
        }
        continue;
      }
      consumer.concurrency = Math.max(1, own + free);
      if (consumer.isPaused()) {
        consumer.resume().catch(this.onSteerFailure);
      }
    }
  }
}
