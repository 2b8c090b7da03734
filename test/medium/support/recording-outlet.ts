import { EventEmitter } from 'node:events';
import { RunEvent } from '@bulkhead/store';
import type { EventOutlet } from '../../../apps/api/src/run-events/run-subscription';
import { SocketFlow } from '../../../apps/api/src/run-events/socket-flow';

/** One read of a subscription, as its outlet saw it: the budget it reserved and what it sent. */
export interface Batch {
  readonly share: number;
  /** Bytes emitted since the last drain when the read was granted. */
  readonly bufferedBefore: number;
  bytes: number;
  count: number;
  /** Bytes emitted since the last drain once the read was sent. */
  bufferedAfter: number;
}

/**
 * A socket's real SocketFlow over a stand-in for engine.io's connection (it drains when the test
 * says), recording every read a subscription makes through it: what the socket.io socket would
 * have been sent, and how it was paced.
 */
export class RecordingOutlet implements EventOutlet {
  readonly sent: RunEvent[] = [];
  readonly batches: Batch[] = [];
  readonly flow: SocketFlow;
  private readonly conn = new EventEmitter();
  private current: Batch | undefined;
  private waiting = false;

  constructor(readonly maxBytes: number) {
    this.flow = new SocketFlow(
      this.conn,
      (event) => this.sent.push(event),
      { maxBytes, slowAfterMs: 60_000 },
      () => undefined,
    );
    this.flow.open();
  }

  /** Whether the subscription waits for a drain: it asked for a budget and the socket has none. */
  get isStalled(): boolean {
    return this.waiting && this.flow.bufferedBytes >= this.maxBytes;
  }

  /** engine.io flushed its write buffer to the transport. */
  drain(): void {
    this.conn.emit('drain');
  }

  async reserve(): Promise<number> {
    this.waiting = true;
    const share = await this.flow.reserve();
    this.waiting = false;
    const buffered = this.flow.bufferedBytes;
    this.current = { share, bufferedBefore: buffered, bytes: 0, count: 0, bufferedAfter: buffered };
    this.batches.push(this.current);
    return share;
  }

  release(share: number): void {
    if (this.current) {
      this.current.bufferedAfter = this.flow.bufferedBytes;
    }
    this.current = undefined;
    this.flow.release(share);
  }

  send(event: RunEvent, bytes: number): void {
    if (this.current) {
      this.current.bytes += bytes;
      this.current.count += 1;
    }
    this.flow.send(event, bytes);
  }

  close(): void {
    this.flow.close();
  }
}
