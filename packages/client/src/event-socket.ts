import { io } from 'socket.io-client';
import { BulkheadError, redacted, socketError } from './errors.js';
import { ChannelLink, RunChannel, RunEventSink } from './run-channel.js';
import { Ack, EventsSocket, parseAck, parseRunEvent } from './socket-protocol.js';

/** socket.io's own first reconnection delay; a server-closed socket waits about as long, jittered. */
const RESUME_DELAY_MS = 1_000;

/**
 * The one socket.io connection of a client to /events, opened by the first stream and closed when
 * the last one leaves (or by close()). Events are routed to each run's channel by runId.
 * socket.io-client reconnects by itself after a dropped transport; a socket the server closed
 * (an API process shutting down, a revoked key) is reopened here after a short, jittered delay, and a
 * handshake refused as `unavailable` is retried the same way. Any other refusal (a bad or revoked key)
 * fails every stream with that code.
 */
export class EventSocket implements ChannelLink {
  private readonly channels = new Map<string, RunChannel>();
  private socket: EventsSocket | undefined;
  private connections = 0;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  /** Starts delivering the run's events to the sink; the returned function stops it. */
  follow(runId: string, sink: RunEventSink): () => void {
    const channel = this.channels.get(runId) ?? this.openChannel(runId);
    channel.join(sink);
    return () => channel.leave(sink);
  }

  /** Closes the socket; streams still open fail with `closed`. */
  close(): void {
    this.end(
      new BulkheadError({ code: 'closed', message: 'The client was closed while streaming.' }),
    );
  }

  connection(): number | undefined {
    return this.socket?.connected ? this.connections : undefined;
  }

  async request(
    event: 'subscribe' | 'unsubscribe',
    runId: string,
    after = 0,
  ): Promise<Ack | undefined> {
    const socket = this.socket;
    if (!socket?.connected) {
      return undefined;
    }
    try {
      const answer: unknown =
        event === 'subscribe'
          ? await socket.emitWithAck('subscribe', { runId, after })
          : await socket.emitWithAck('unsubscribe', { runId });
      return parseAck(answer);
    } catch {
      // The only rejection without a timeout: the connection dropped before the ack. The next
      // connect subscribes again, so this is an outcome, not a failure.
      return undefined;
    }
  }

  isSole(channel: RunChannel): boolean {
    return this.channels.size === 1 && this.channels.get(channel.runId) === channel;
  }

  retire(channel: RunChannel): void {
    if (this.channels.get(channel.runId) !== channel) {
      return;
    }
    this.channels.delete(channel.runId);
    if (this.channels.size === 0) {
      this.shut();
    }
  }

  private openChannel(runId: string): RunChannel {
    const channel = new RunChannel(runId, this);
    this.channels.set(runId, channel);
    this.socket ??= this.open();
    return channel;
  }

  private open(): EventsSocket {
    const { origin, pathname } = new URL(this.baseUrl);
    const socket: EventsSocket = io(`${origin}/events`, {
      path: `${pathname.replace(/\/+$/, '')}/socket.io`,
      auth: { token: this.apiKey },
      transports: ['websocket'],
      forceNew: true,
    });
    socket.on('connect', () => this.onConnect(socket));
    socket.on('disconnect', (reason) => this.onDisconnect(socket, reason));
    socket.on('connect_error', (error) => this.onConnectError(socket, error));
    socket.on('run.event', (payload) => this.onEvent(socket, payload));
    return socket;
  }

  private onConnect(socket: EventsSocket): void {
    if (socket !== this.socket) {
      return;
    }
    this.connections += 1;
    for (const channel of this.channels.values()) {
      channel.connected();
    }
  }

  private onDisconnect(socket: EventsSocket, reason: string): void {
    if (socket !== this.socket) {
      return;
    }
    for (const channel of this.channels.values()) {
      channel.disconnected();
    }
    if (reason === 'io server disconnect') {
      this.resumeSoon(socket);
    }
  }

  private onConnectError(socket: EventsSocket, error: Error): void {
    // While `active`, socket.io-client retries on its own (a transport that could not connect).
    if (socket !== this.socket || socket.active) {
      return;
    }
    const refusal = socketError((error as { data?: unknown }).data, 'connect_failed');
    if (refusal.code === 'unavailable') {
      return this.resumeSoon(socket);
    }
    this.end(redacted(refusal, this.apiKey));
  }

  private onEvent(socket: EventsSocket, payload: unknown): void {
    if (socket !== this.socket) {
      return;
    }
    const event = parseRunEvent(payload);
    if (event) {
      this.channels.get(event.runId)?.deliver(event);
    }
  }

  /** socket.io-client does not reconnect a socket the server closed: reconnect it here. */
  private resumeSoon(socket: EventsSocket): void {
    clearTimeout(this.resumeTimer);
    const delay = RESUME_DELAY_MS * (0.5 + Math.random());
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      if (socket === this.socket) {
        socket.connect();
      }
    }, delay);
  }

  private end(reason: unknown): void {
    const channels = [...this.channels.values()];
    this.channels.clear();
    this.shut();
    for (const channel of channels) {
      channel.failAll(reason);
    }
  }

  private shut(): void {
    clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    this.socket?.close();
    this.socket = undefined;
  }
}
