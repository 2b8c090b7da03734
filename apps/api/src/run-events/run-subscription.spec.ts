import { EventEmitter } from 'node:events';
import { RunId, TenantId } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { BatchBounds, EventBatch, RunEvent, SizedEvent } from '@bulkhead/store';
import { RunSubscription } from './run-subscription';
import { SocketFlow } from './socket-flow';

const tenantId = 'acme' as TenantId;
const runId = 'run_a' as RunId;
const EVENT_BYTES = 100;

/** A run's stored stream, read as the batch script reads it: within a count and a byte budget. */
class StoredStream {
  readonly events: SizedEvent[] = [];
  readonly reads: BatchBounds[] = [];

  append(type = 'agent.progress'): void {
    const event: RunEvent = { id: this.events.length + 1, runId, type, data: {}, ts: '' };
    this.events.push({ event, bytes: EVENT_BYTES });
  }

  readBatch = (
    _tenantId: TenantId,
    _runId: RunId,
    after: number,
    bounds: BatchBounds,
  ): Promise<EventBatch> => {
    this.reads.push(bounds);
    const rest = this.events.filter(({ event }) => event.id > after);
    const fit = Math.max(1, Math.floor(bounds.maxBytes / EVENT_BYTES));
    const events = rest.slice(0, Math.min(fit, bounds.maxEvents));
    return Promise.resolve({ events, more: events.length < rest.length });
  };
}

describe(RunSubscription.name, () => {
  const logger = { warn: jest.fn() } as unknown as AppLogger;
  let conn: EventEmitter;
  let sent: RunEvent[];
  let stream: StoredStream;
  let flow: SocketFlow;

  beforeEach(() => {
    conn = new EventEmitter();
    sent = [];
    stream = new StoredStream();
    flow = new SocketFlow(
      conn,
      (e) => sent.push(e),
      { maxBytes: 1_000, slowAfterMs: 60_000 },
      () => {
        throw new Error('not expected to be slow');
      },
    );
    flow.open();
  });

  afterEach(() => flow.close());

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('should send no more than the bound between drains, then go on from where it stopped', async () => {
    for (let i = 0; i < 25; i += 1) {
      stream.append();
    }
    const sut = new RunSubscription(flow, stream, tenantId, runId, 0, logger);

    sut.wake();
    await settle();
    const beforeDrain = sent.length;
    conn.emit('drain');
    await settle();
    conn.emit('drain');
    await settle();

    expect(beforeDrain).toBe(10);
    expect(sent.map((e) => e.id)).toEqual(stream.events.map(({ event }) => event.id));
    expect(Math.max(...stream.reads.map((bounds) => bounds.maxBytes))).toBeLessThanOrEqual(250);
    sut.close();
  });

  it('should count as finished only once its terminal event was sent', async () => {
    stream.append('run.queued');
    const sut = new RunSubscription(flow, stream, tenantId, runId, 0, logger);
    sut.wake();
    await settle();
    const beforeEnd = sut.isFinished;

    stream.append('run.succeeded');
    sut.wake();
    await settle();

    expect(beforeEnd).toBe(false);
    expect(sut.isFinished).toBe(true);
    sut.close();
  });
});
