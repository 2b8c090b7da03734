import { socketError } from './errors.js';
import type { Ack } from './socket-protocol.js';
import type { RunEvent } from './types.js';

/** A consumer of one run's events: it drops what it has already seen, so replays are harmless. */
export interface RunEventSink {
  /** The highest event id this sink has accepted (its `after` for a resubscription). */
  readonly lastSeen: number;
  push(event: RunEvent): void;
  fail(reason: unknown): void;
}

/** What a channel needs of the socket it shares with the other channels. */
export interface ChannelLink {
  /** The number of the current connection, or undefined while disconnected. */
  connection(): number | undefined;
  /** Sends a message and resolves with its ack, or with undefined when the connection dropped first. */
  request(
    event: 'subscribe' | 'unsubscribe',
    runId: string,
    after?: number,
  ): Promise<Ack | undefined>;
  /** True when this channel is the only one left, so closing the socket releases it anyway. */
  isSole(channel: RunChannel): boolean;
  /** The channel has no sinks and no subscription: forget it. */
  retire(channel: RunChannel): void;
}

/**
 * The server-side subscription of one run on the shared socket, and the local sinks that read it.
 * Its steps run one at a time, so a subscribe is acked before the unsubscribe that follows it is sent.
 * The subscription starts from the lowest `lastSeen` of its sinks: on every (re)connect, and again
 * when a sink joins that needs events the subscription has already passed.
 */
export class RunChannel {
  private readonly sinks = new Set<RunEventSink>();
  /** The connection this run is subscribed on (acked or in flight), if any. */
  private subscribedOn: number | undefined;
  /** The server sends this subscription's events with ids above this from now on. */
  private position = 0;
  private steps: Promise<void> = Promise.resolve();

  constructor(
    readonly runId: string,
    private readonly link: ChannelLink,
  ) {}

  join(sink: RunEventSink): void {
    this.sinks.add(sink);
    this.enqueue(() => this.sync());
  }

  leave(sink: RunEventSink): void {
    if (!this.sinks.delete(sink)) {
      return;
    }
    this.enqueue(() => this.sync());
  }

  connected(): void {
    this.enqueue(() => this.sync());
  }

  disconnected(): void {
    this.subscribedOn = undefined;
  }

  deliver(event: RunEvent): void {
    if (this.subscribedOn !== undefined) {
      this.position = Math.max(this.position, event.id);
    }
    for (const sink of [...this.sinks]) {
      sink.push(event);
    }
  }

  /** Fails every sink; each then leaves, and the channel retires once its steps have run. */
  failAll(reason: unknown): void {
    for (const sink of [...this.sinks]) {
      sink.fail(reason);
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.steps = this.steps.then(step).catch((error: unknown) => this.failAll(error));
  }

  private async sync(): Promise<void> {
    if (this.sinks.size === 0) {
      return this.release();
    }
    const connection = this.link.connection();
    if (connection === undefined) {
      return;
    }
    const after = Math.min(...[...this.sinks].map((sink) => sink.lastSeen));
    if (this.subscribedOn === connection && after >= this.position) {
      return;
    }
    // A sink needs events this subscription already passed; the server ignores a second subscribe
    // of one run on one socket, so start it over from the lowest id a sink has.
    if (this.subscribedOn === connection) {
      await this.link.request('unsubscribe', this.runId);
    }
    await this.subscribe(connection, after);
  }

  private async subscribe(connection: number, after: number): Promise<void> {
    this.subscribedOn = connection;
    this.position = after;
    const ack = await this.link.request('subscribe', this.runId, after);
    if (ack === undefined || ack.ok) {
      return;
    }
    this.subscribedOn = undefined;
    this.failAll(socketError(ack.error, 'subscribe_failed'));
  }

  private async release(): Promise<void> {
    const connection = this.link.connection();
    if (this.subscribedOn === connection && connection !== undefined && !this.link.isSole(this)) {
      this.subscribedOn = undefined;
      await this.link.request('unsubscribe', this.runId);
    }
    if (this.sinks.size === 0) {
      this.link.retire(this);
    }
  }
}
