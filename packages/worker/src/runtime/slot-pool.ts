/** What the pool steers of one agent's BullMQ worker: how much it fetches, and whether at all. */
export interface SlotConsumer {
  concurrency: number;
  isPaused(): boolean;
  isRunning(): boolean;
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): Promise<void>;
}

/**
 * The process's WORKER_CONCURRENCY slots, shared by the queues of every agent it serves: a run takes
 * a slot before it starts and gives it back when its attempt ends, so the process never runs more
 * than its slots whatever queue the runs come from. Each agent's worker fetches at most its own runs
 * plus the slots it may take, and none fetches while it may take none.
 *
 * Two workers that fetch for the last slot at once find out at take(): the loser hands its run back
 * to the queue, unstarted, and waits. The next slot that frees is reserved for the longest-waiting
 * worker, and the others may not fetch for it, so a busy agent cannot keep every slot by fetching
 * its next run as it completes one. A reservation lasts until its worker takes the slot or another
 * slot frees, whichever is first: a worker whose queue has emptied holds it no longer than that.
 */
export class SlotPool {
  private busy = 0;
  private stopped = false;
  private readonly running = new Map<SlotConsumer, number>();
  /** Workers refused a slot, oldest first; each at most once. */
  private readonly waiting: SlotConsumer[] = [];
  private reservedFor: SlotConsumer | undefined;

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

  /** A slot for a run the consumer fetched; false when it may take none: hand the run back. */
  take(consumer: SlotConsumer): boolean {
    if (this.mayTake(consumer) === 0) {
      if (!this.waiting.includes(consumer)) {
        this.waiting.push(consumer);
      }
      this.steer();
      return false;
    }
    this.busy += 1;
    this.running.set(consumer, (this.running.get(consumer) ?? 0) + 1);
    if (this.reservedFor === consumer) {
      this.reservedFor = undefined;
    }
    this.forgetWaiting(consumer);
    this.steer();
    return true;
  }

  release(consumer: SlotConsumer): void {
    this.busy -= 1;
    this.running.set(consumer, (this.running.get(consumer) ?? 1) - 1);
    this.reservedFor = this.waiting.shift();
    this.steer();
  }

  /** The worker is closing its consumers: none is paused or resumed from now on. */
  stop(): void {
    this.stopped = true;
  }

  /** The free slots this consumer may take: the unreserved ones, and the reserved one if it is its. */
  private mayTake(consumer: SlotConsumer): number {
    const reserved = this.reservedFor === undefined ? 0 : 1;
    const unreserved = Math.max(0, this.free - reserved);
    return unreserved + (this.reservedFor === consumer && this.free > 0 ? 1 : 0);
  }

  private forgetWaiting(consumer: SlotConsumer): void {
    const at = this.waiting.indexOf(consumer);
    if (at >= 0) {
      this.waiting.splice(at, 1);
    }
  }

  /**
   * Runs synchronously inside take() and release(), before BullMQ completes the job that freed a
   * slot: a worker paused here does not fetch its next job as it completes this one.
   */
  private steer(): void {
    if (this.stopped) {
      return;
    }
    for (const [consumer, own] of this.running) {
      const allowed = this.mayTake(consumer);
      if (allowed === 0) {
        if (!consumer.isPaused()) {
          consumer.pause(true).catch(this.onSteerFailure);
        }
        continue;
      }
      consumer.concurrency = Math.max(1, own + allowed);
      // A worker whose loop ended while paused is not running: resume() starts it again.
      if (consumer.isPaused() || !consumer.isRunning()) {
        consumer.resume().catch(this.onSteerFailure);
      }
    }
  }
}
