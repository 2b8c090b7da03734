import { Socket, io } from 'socket.io-client';
import { EventBody, isTerminalEvent } from './runs';

export interface Ack {
  readonly ok: boolean;
  readonly error?: { code: string; message: string };
}

/**
 * A socket.io client on /events that records every run.event it receives, per run, in arrival order.
 */
export class EventClient {
  readonly received = new Map<string, EventBody[]>();
  readonly all: EventBody[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('run.event', (event: EventBody) => {
      this.all.push(event);
      const list = this.received.get(event.runId) ?? [];
      list.push(event);
      this.received.set(event.runId, list);
    });
  }

  /** Resolves once connected; rejects with the server's connect_error. */
  static connect(url: string, token: unknown): Promise<EventClient> {
    const socket = io(`${url}/events`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new EventClient(socket)));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  subscribe(runId: unknown, after?: number): Promise<Ack> {
    const payload = after === undefined ? { runId } : { runId, after };
    return this.socket.timeout(5_000).emitWithAck('subscribe', payload) as Promise<Ack>;
  }

  send(event: string, payload: unknown): Promise<Ack> {
    return this.socket.timeout(5_000).emitWithAck(event, payload) as Promise<Ack>;
  }

  unsubscribe(runId: string): Promise<Ack> {
    return this.socket.timeout(5_000).emitWithAck('unsubscribe', { runId }) as Promise<Ack>;
  }

  eventsOf(runId: string): EventBody[] {
    return this.received.get(runId) ?? [];
  }

  /** Resolves when the run's terminal event has arrived on this socket. */
  async untilFinished(runId: string, timeoutMs = 10_000): Promise<EventBody[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.eventsOf(runId).some(isTerminalEvent)) {
      if (Date.now() > deadline) {
        throw new Error(
          `no terminal event for ${runId}; got ${JSON.stringify(this.eventsOf(runId).map((e) => e.type))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.eventsOf(runId);
  }

  /** Resolves when the server disconnects this socket. */
  disconnected(): Promise<string> {
    if (this.socket.disconnected) {
      return Promise.resolve('already');
    }
    return new Promise((resolve) => this.socket.once('disconnect', (reason) => resolve(reason)));
  }

  close(): void {
    this.socket.close();
  }
}
