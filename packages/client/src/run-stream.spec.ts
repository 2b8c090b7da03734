import { RunEventSink } from './run-channel';
import { RunEventSource, RunStream } from './run-stream';
import { RunEvent } from './types';

/** Records who follows which run; the test pushes events into the sink as the socket would. */
class FakeSource implements RunEventSource {
  sink: RunEventSink | undefined;
  follows = 0;
  leaves = 0;

  follow(_runId: string, sink: RunEventSink): () => void {
    this.follows += 1;
    this.sink = sink;
    return () => {
      this.leaves += 1;
    };
  }
}

const eventOf = (id: number, type = 'agent.progress'): RunEvent => ({
  id,
  runId: 'run_1',
  type,
  data: {},
  ts: '2026-01-01T00:00:00.000Z',
});

describe(RunStream.name, () => {
  let source: FakeSource;

  beforeEach(() => {
    source = new FakeSource();
  });

  it('should follow the run only from the first pull', async () => {
    const sut = new RunStream(source, 'run_1');
    expect(source.follows).toBe(0);

    const pending = sut.next();
    source.sink?.push(eventOf(1));

    expect(await pending).toEqual({ done: false, value: eventOf(1) });
    expect(source.follows).toBe(1);
  });

  it('should yield each id once, in order, dropping replays and ids up to `after`', async () => {
    const sut = new RunStream(source, 'run_1', { after: 1 });
    const pending = sut.next();

    [1, 2, 3, 2, 3, 4].forEach((id) => source.sink?.push(eventOf(id)));
    source.sink?.push(eventOf(5, 'run.succeeded'));

    const ids = [(await pending).value?.id];
    for await (const event of sut) {
      ids.push(event.id);
    }
    expect(ids).toEqual([2, 3, 4, 5]);
  });

  it('should report lastSeen as the highest id it accepted, buffered or yielded', () => {
    const sut = new RunStream(source, 'run_1', { after: 2 });
    // Starts the stream; the pull resolves with the first pushed event and cannot reject, since
    // nothing in this test fails the stream.
    void sut.next();

    [3, 4, 4].forEach((id) => source.sink?.push(eventOf(id)));

    expect(sut.lastSeen).toBe(4);
  });

  it('should leave the run as soon as the terminal event arrives, and end after it is pulled', async () => {
    const sut = new RunStream(source, 'run_1');
    // Starts the stream; the pull resolves with event 1 and cannot reject, since nothing in this
    // test fails the stream.
    void sut.next();

    source.sink?.push(eventOf(1));
    source.sink?.push(eventOf(2, 'run.failed'));

    expect(source.leaves).toBe(1);
    expect(await sut.next()).toEqual({ done: false, value: eventOf(2, 'run.failed') });
    expect(await sut.next()).toEqual({ done: true, value: undefined });
  });

  it('should leave the run and answer a pending pull with done on return()', async () => {
    const sut = new RunStream(source, 'run_1');
    const pending = sut.next();

    await sut.return();

    expect(await pending).toEqual({ done: true, value: undefined });
    expect(source.leaves).toBe(1);
  });

  it('should reject with the reason of its aborted signal, then be done', async () => {
    const controller = new AbortController();
    const sut = new RunStream(source, 'run_1', { signal: controller.signal });
    const pending = sut.next();

    controller.abort(new Error('stop'));

    await expect(pending).rejects.toThrow('stop');
    expect(source.leaves).toBe(1);
    expect(await sut.next()).toEqual({ done: true, value: undefined });
  });

  it('should not follow at all when its signal is already aborted', async () => {
    const sut = new RunStream(source, 'run_1', { signal: AbortSignal.abort(new Error('late')) });

    await expect(sut.next()).rejects.toThrow('late');
    expect(source.follows).toBe(0);
  });
});
