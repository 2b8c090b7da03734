import { RunEvent } from '@bulkhead/store';
import type { EventOutlet } from './run-subscription';

/** engine.io's connection under a socket: it emits 'drain' each time it flushes its write buffer. */
export interface DrainSource {
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

export interface FlowBounds {
  /** SOCKET_BUFFER_MAX_BYTES: what may be emitted to the socket between two drains. */
  readonly maxBytes: number;
  /** SOCKET_SLOW_CONSUMER_MS: how long delivery may wait for a drain before the socket is dropped. */
  readonly slowAfterMs: number;
}

/**
 * Backpressure for one socket. socket.io queues whatever a socket is sent in engine.io's write buffer
 * until the connection can take it, without limit, so a client that stops reading would make the API
 * hold every event it is sent. Delivery here counts the bytes emitted since the connection last
 * flushed ('drain' on socket.conn); over SOCKET_BUFFER_MAX_BYTES, subscriptions wait for the next
 * drain before they read more of their runs. engine.io hands a flushed buffer to the transport, which
 * takes no more until the kernel took that, so a socket costs its process about twice the bound.
 *
 * Reads reserve a quarter of the bound at most, so a socket's subscriptions read a few at a time and
 * their batches together stay within it (a single event larger than its share still goes, alone).
 * When delivery has waited SOCKET_SLOW_CONSUMER_MS with no drain while nothing but unflushed bytes
 * held it (no read of its own in flight), `onSlow` is called once per stall.
 * Per-connection state: the gateway creates it on connection and closes it on disconnect.
 */
export class SocketFlow implements EventOutlet {
  private emitted = 0;
  private reserved = 0;
  private closed = false;
  private waiting: Promise<void> | undefined;
  private wakeWaiting: (() => void) | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly onDrain = () => this.drained();

  constructor(
    private readonly conn: DrainSource,
    private readonly emit: (event: RunEvent) => void,
    private readonly bounds: FlowBounds,
    private readonly onSlow: () => void,
  ) {}

  /** Starts counting: listens for the connection's drains. */
  open(): void {
    this.conn.on('drain', this.onDrain);
  }

  /** Bytes emitted since the last drain. */
  get bufferedBytes(): number {
    return this.emitted;
  }

  /** Waits while the socket is at its bound, then reserves a byte budget for one read (0: closed). */
  async reserve(): Promise<number> {
    for (;;) {
      if (this.closed) {
        return 0;
      }
      const free = this.bounds.maxBytes - this.emitted - this.reserved;
      if (free > 0) {
        const share = Math.min(free, Math.ceil(this.bounds.maxBytes / 4));
        this.reserved += share;
        return share;
      }
      await this.untilFreed();
    }
  }

  /** Gives back a reservation once its read was sent; what it sent is counted by `send`. */
  release(share: number): void {
    this.reserved = Math.max(0, this.reserved - share);
    if (this.emitted < this.bounds.maxBytes) {
      this.disarmStallTimer();
    }
    this.wake();
  }

  /** Emits one event, counted before it is handed over (a writable transport drains at once). */
  send(event: RunEvent, bytes: number): void {
    this.emitted += bytes;
    this.emit(event);
  }

  /** Stops counting and lets every waiting subscription go (they find themselves closed). */
  close(): void {
    this.closed = true;
    this.conn.off('drain', this.onDrain);
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.wake();
  }

  /** One promise shared by every waiting subscription, settled at the next drain or release. */
  private untilFreed(): Promise<void> {
    // Only unflushed bytes mean the client is behind; reads in flight give their share back soon.
    if (this.reserved === 0) {
      this.armStallTimer();
    }
    this.waiting ??= new Promise<void>((resolve) => {
      this.wakeWaiting = resolve;
    });
    return this.waiting;
  }

  private wake(): void {
    const wake = this.wakeWaiting;
    this.waiting = undefined;
    this.wakeWaiting = undefined;
    wake?.();
  }

  private drained(): void {
    this.emitted = 0;
    this.disarmStallTimer();
    this.wake();
  }

  private disarmStallTimer(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private armStallTimer(): void {
    if (this.stallTimer !== undefined || this.closed) {
      return;
    }
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.onSlow();
    }, this.bounds.slowAfterMs);
  }
}
