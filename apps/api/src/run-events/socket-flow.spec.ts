import { EventEmitter } from 'node:events';
import { RunEvent } from '@bulkhead/store';
import { SocketFlow } from './socket-flow';

const MAX_BYTES = 1_000;
const SLOW_AFTER_MS = 5_000;

function event(id: number): RunEvent {
  return { id, runId: 'run_a' as RunEvent['runId'], type: 'agent.progress', data: {}, ts: '' };
}

describe(SocketFlow.name, () => {
  let conn: EventEmitter;
  let sent: RunEvent[];
  let onSlow: jest.Mock;
  let sut: SocketFlow;

  beforeEach(() => {
    jest.useFakeTimers();
    conn = new EventEmitter();
    sent = [];
    onSlow = jest.fn();
    const bounds = { maxBytes: MAX_BYTES, slowAfterMs: SLOW_AFTER_MS };
    sut = new SocketFlow(conn, (e) => sent.push(e), bounds, onSlow);
    sut.open();
  });

  afterEach(() => {
    sut.close();
    jest.useRealTimers();
  });

  /** Whether `promise` settled by the time pending microtasks ran. */
  async function isSettled(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    const settle = () => {
      settled = true;
    };
    promise.then(settle, settle);
    await jest.advanceTimersByTimeAsync(0);
    return settled;
  }

  it('should reserve at most a quarter of the bound per read, and no more than the bound in all', async () => {
    const shares = [
      await sut.reserve(),
      await sut.reserve(),
      await sut.reserve(),
      await sut.reserve(),
    ];

    const fifth = sut.reserve();

    expect(shares).toEqual([250, 250, 250, 250]);
    expect(await isSettled(fifth)).toBe(false);
  });

  it('should make reads wait once the bytes sent since the last drain reach the bound, until a drain', async () => {
    const share = await sut.reserve();
    sut.send(event(1), MAX_BYTES);
    sut.release(share);

    const waiting = sut.reserve();
    const settledBeforeDrain = await isSettled(waiting);
    conn.emit('drain');

    expect(settledBeforeDrain).toBe(false);
    expect(await waiting).toBe(250);
    expect(sent).toEqual([event(1)]);
  });

  it('should report a slow consumer once reads waited SOCKET_SLOW_CONSUMER_MS without a drain', async () => {
    sut.send(event(1), MAX_BYTES);
    const waiting = sut.reserve();

    await jest.advanceTimersByTimeAsync(SLOW_AFTER_MS - 1);
    const early = onSlow.mock.calls.length;
    await jest.advanceTimersByTimeAsync(1);
    sut.close();

    expect(early).toBe(0);
    expect(onSlow).toHaveBeenCalledTimes(1);
    expect(await waiting).toBe(0);
  });

  it('should not report a socket that drains while reads wait', async () => {
    sut.send(event(1), MAX_BYTES);
    const waiting = sut.reserve();

    await jest.advanceTimersByTimeAsync(SLOW_AFTER_MS - 1);
    conn.emit('drain');
    await jest.advanceTimersByTimeAsync(SLOW_AFTER_MS);

    expect(await waiting).toBe(250);
    expect(onSlow).not.toHaveBeenCalled();
  });

  it('should not report a reading socket whose reads only wait for each other', async () => {
    const shares = await Promise.all([sut.reserve(), sut.reserve(), sut.reserve(), sut.reserve()]);
    const fifth = sut.reserve();
    await jest.advanceTimersByTimeAsync(0);

    shares.forEach((share) => sut.release(share));
    const fifthShare = await fifth;
    sut.release(fifthShare);
    await jest.advanceTimersByTimeAsync(SLOW_AFTER_MS * 2);

    expect(fifthShare).toBe(250);
    expect(onSlow).not.toHaveBeenCalled();
  });

  it('should let waiting reads go with no budget once closed, and stop listening for drains', async () => {
    sut.send(event(1), MAX_BYTES);
    const waiting = sut.reserve();

    sut.close();

    expect(await waiting).toBe(0);
    expect(conn.listenerCount('drain')).toBe(0);
    await jest.advanceTimersByTimeAsync(SLOW_AFTER_MS);
    expect(onSlow).not.toHaveBeenCalled();
  });
});
