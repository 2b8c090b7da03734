import { RunId, TenantId } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { EventLog, RunEvent } from '@bulkhead/store';

const BATCH = 500;
const RETRY_AFTER_ERROR_MS = 250;

export type Deliver = (event: RunEvent) => void;

/**
 * One socket's subscription to one run. Replay and live delivery are the same loop: read the stream
 * after the last id sent, send, repeat while anything arrived meanwhile. A cursor per subscription
 * makes delivery gapless, duplicate-free and in id order, whoever notified and however often.
 */
export class RunSubscription {
  private cursor: number;
  private draining = false;
  private pending = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deliver: Deliver,
    private readonly events: EventLog,
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

  /** New events may exist: drain now, or once more after the drain under way. */
  wake(): void {
    if (this.closed) return;
    this.pending = true;
    if (!this.draining) this.startDraining();
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
        if (this.pending && !this.closed) this.startDraining();
      });
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.closed) {
      this.pending = false;
      const batch = await this.events.readAfter(this.tenantId, this.runId, this.cursor, BATCH);
      this.send(batch);
      if (batch.length === BATCH) this.pending = true;
    }
  }

  private send(batch: RunEvent[]): void {
    for (const event of batch) {
      if (this.closed || event.id <= this.cursor) continue;
      this.deliver(event);
      this.cursor = event.id;
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
