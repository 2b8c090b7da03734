import { RunId, TenantId } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { EventLog, RunEvent, SizedEvent } from '@bulkhead/store';

const BATCH = 500;
const RETRY_AFTER_ERROR_MS = 250;
const TERMINAL_EVENTS: readonly string[] = Object.freeze([
  'run.succeeded',
  'run.failed',
  'run.cancelled',
]);

/** Where a subscription sends its events: the socket, with its backpressure. */
export interface EventOutlet {
  /** Waits until the socket can take more, then reserves a byte budget for one read (0: closed). */
  reserve(): Promise<number>;
  /** Gives back a reservation after its read was sent. */
  release(share: number): void;
  send(event: RunEvent, bytes: number): void;
}

/**
 * One socket's subscription to one run. Replay and live delivery are the same loop: wait until the
 * socket can take more, read the stream after the last id sent (a batch bounded by the bytes the
 * socket may take as well as by count), send, repeat while anything arrived meanwhile. A cursor per
 * subscription makes delivery gapless, duplicate-free and in id order, whoever woke it and however
 * often, so a wake-up that finds nothing new costs one read and nothing else.
 */
export class RunSubscription {
  private cursor: number;
  private lastType: string | undefined;
  private draining = false;
  private pending = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly outlet: EventOutlet,
    private readonly batches: Pick<EventLog, 'readBatch'>,
    private readonly tenantId: TenantId,
    private readonly runId: RunId,
    after: number,
    private readonly logger: AppLogger,
  ) {
    this.cursor = after;
  }

  get lastSentId(): number {
    return this.cursor;
  }

  /** Whether the run's terminal event was sent: nothing can follow it, so nothing is left to wait for. */
  get isFinished(): boolean {
    return this.lastType !== undefined && TERMINAL_EVENTS.includes(this.lastType);
  }

  /** New events may exist: drain now, or once more after the drain under way. */
  wake(): void {
    if (this.closed) {
      return;
    }
    this.pending = true;
    if (!this.draining) {
      this.startDraining();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
  }

  private startDraining(): void {
    this.draining = true;
    this.drain()
      .catch((error: unknown) => this.retryLater(error))
      .finally(() => {
        this.draining = false;
        if (this.pending && !this.closed) {
          this.startDraining();
        }
      });
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.closed) {
      this.pending = false;
      const share = await this.outlet.reserve();
      try {
        if (this.closed || share === 0) {
          return;
        }
        const bounds = { maxEvents: BATCH, maxBytes: share };
        const batch = await this.batches.readBatch(this.tenantId, this.runId, this.cursor, bounds);
        this.send(batch.events);
        if (batch.more) {
          this.pending = true;
        }
      } finally {
        this.outlet.release(share);
      }
    }
  }

  private send(batch: readonly SizedEvent[]): void {
    for (const { event, bytes } of batch) {
      if (this.closed || event.id <= this.cursor) {
        continue;
      }
      this.outlet.send(event, bytes);
      this.cursor = event.id;
      this.lastType = event.type;
    }
  }

  private retryLater(error: unknown): void {
    this.pending = false;
    this.logger.warn('subscription.read_failed', {
      error: error instanceof Error ? error.message : String(error),
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.wake(), RETRY_AFTER_ERROR_MS);
  }
}
