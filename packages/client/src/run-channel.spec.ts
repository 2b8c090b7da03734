import { BulkheadError } from './errors';
import { ChannelLink, RunChannel, RunEventSink } from './run-channel';
import { Ack } from './socket-protocol';
import { RunEvent } from './types';

interface Sent {
  readonly event: 'subscribe' | 'unsubscribe';
  readonly after?: number;
  readonly connection: number | undefined;
}

/** A socket that is connected or not, records what the channel sends, and answers every ack. */
class FakeLink implements ChannelLink {
  readonly sent: Sent[] = [];
  readonly retired: RunChannel[] = [];
  current: number | undefined = 1;
  answer: Ack = { ok: true };
  sole = false;

  connection(): number | undefined {
    return this.current;
  }

  request(event: 'subscribe' | 'unsubscribe', _runId: string, after?: number) {
    if (this.current === undefined) {
      return Promise.resolve(undefined);
    }
    this.sent.push(
      event === 'subscribe'
        ? { event, after, connection: this.current }
        : { event, connection: this.current },
    );
    return Promise.resolve(this.answer);
  }

  isSole(): boolean {
    return this.sole;
  }

  retire(channel: RunChannel): void {
    this.retired.push(channel);
  }
}

class FakeSink implements RunEventSink {
  readonly received: RunEvent[] = [];
  failure: unknown;

  constructor(public lastSeen = 0) {}

  push(event: RunEvent): void {
    if (event.id <= this.lastSeen) {
      return;
    }
    this.lastSeen = event.id;
    this.received.push(event);
  }

  fail(reason: unknown): void {
    this.failure = reason;
  }
}

const eventOf = (id: number): RunEvent => ({
  id,
  runId: 'run_1',
  type: 'agent.progress',
  data: { step: id },
  ts: '2026-01-01T00:00:00.000Z',
});

/** Lets the channel's queued steps run. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe(RunChannel.name, () => {
  let link: FakeLink;
  let sut: RunChannel;

  beforeEach(() => {
    link = new FakeLink();
    sut = new RunChannel('run_1', link);
  });

  it('should subscribe after the lastSeen of its first sink', async () => {
    sut.join(new FakeSink(4));
    await settled();

    expect(link.sent).toEqual([{ event: 'subscribe', after: 4, connection: 1 }]);
  });

  it('should wait for a connection, then subscribe on it', async () => {
    link.current = undefined;
    sut.join(new FakeSink());
    await settled();

    link.current = 1;
    sut.connected();
    await settled();

    expect(link.sent).toEqual([{ event: 'subscribe', after: 0, connection: 1 }]);
  });

  it('should resubscribe on every reconnect after the lowest id its sinks have seen', async () => {
    sut.join(new FakeSink());
    sut.join(new FakeSink(7));
    await settled();
    [1, 2, 3].forEach((id) => sut.deliver(eventOf(id)));

    sut.disconnected();
    link.current = 2;
    sut.connected();
    await settled();

    expect(link.sent.at(-1)).toEqual({ event: 'subscribe', after: 3, connection: 2 });
  });

  it('should not subscribe again for a sink that joins at or past where the subscription is', async () => {
    sut.join(new FakeSink());
    await settled();
    [1, 2, 3].forEach((id) => sut.deliver(eventOf(id)));

    sut.join(new FakeSink(3));
    await settled();

    expect(link.sent).toEqual([{ event: 'subscribe', after: 0, connection: 1 }]);
  });

  it('should start the subscription over for a sink that joins behind it', async () => {
    const early = new FakeSink();
    sut.join(early);
    await settled();
    [1, 2, 3].forEach((id) => sut.deliver(eventOf(id)));

    const late = new FakeSink();
    sut.join(late);
    await settled();
    [1, 2, 3, 4].forEach((id) => sut.deliver(eventOf(id)));

    expect(link.sent.slice(1)).toEqual([
      { event: 'unsubscribe', connection: 1 },
      { event: 'subscribe', after: 0, connection: 1 },
    ]);
    expect(early.received.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(late.received.map((e) => e.id)).toEqual([1, 2, 3, 4]);
  });

  it('should fail every sink with the code of a refused subscription', async () => {
    const sinks = [new FakeSink(), new FakeSink()];
    link.answer = { ok: false, error: { code: 'run_not_found', message: 'no such run' } };

    sinks.forEach((sink) => sut.join(sink));
    await settled();

    for (const sink of sinks) {
      expect(sink.failure).toBeInstanceOf(BulkheadError);
      expect(sink.failure).toMatchObject({ code: 'run_not_found', status: undefined });
    }
  });

  it('should unsubscribe and retire when its last sink leaves while other channels share the socket', async () => {
    const sink = new FakeSink();
    sut.join(sink);
    await settled();

    sut.leave(sink);
    await settled();

    expect(link.sent.at(-1)).toEqual({ event: 'unsubscribe', connection: 1 });
    expect(link.retired).toEqual([sut]);
  });

  it('should retire without unsubscribing when it is the only channel, since the socket closes', async () => {
    link.sole = true;
    const sink = new FakeSink();
    sut.join(sink);
    await settled();

    sut.leave(sink);
    await settled();

    expect(link.sent.map((s) => s.event)).toEqual(['subscribe']);
    expect(link.retired).toEqual([sut]);
  });

  it('should stay when a sink joins while the last one leaves', async () => {
    const leaving = new FakeSink();
    sut.join(leaving);
    await settled();

    sut.leave(leaving);
    sut.join(new FakeSink());
    await settled();

    expect(link.retired).toEqual([]);
  });
});
