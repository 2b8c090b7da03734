import { SlotConsumer, SlotPool } from './slot-pool';

/** An agent's worker as the pool sees it: its concurrency and whether it is paused. */
function consumer(): SlotConsumer & { paused: boolean } {
  return {
    concurrency: 0,
    paused: false,
    isPaused() {
      return this.paused;
    },
    isRunning() {
      return true;
    },
    pause() {
      this.paused = true;
      return Promise.resolve();
    },
    resume() {
      this.paused = false;
      return Promise.resolve();
    },
  };
}

describe(`${SlotPool.name}: one process's slots shared by the queues of its agents`, () => {
  const fail = (error: unknown) => {
    throw error;
  };

  it('should never hand out more slots than the process has, whichever queue asks', () => {
    const [echo, ticker] = [consumer(), consumer()];
    const sut = new SlotPool(3, fail);
    sut.add(echo);
    sut.add(ticker);

    const taken = [sut.take(echo), sut.take(ticker), sut.take(echo), sut.take(ticker)];

    expect(taken).toEqual([true, true, true, false]);
    expect(sut.free).toBe(0);
  });

  it('should let each queue fetch its own runs plus the free slots', () => {
    const [echo, ticker] = [consumer(), consumer()];
    const sut = new SlotPool(4, fail);
    sut.add(echo);
    sut.add(ticker);

    sut.take(echo);

    expect(echo.concurrency).toBe(4);
    expect(ticker.concurrency).toBe(3);
  });

  it('should pause every queue while no slot is free and resume them when one frees', () => {
    const [echo, ticker] = [consumer(), consumer()];
    const sut = new SlotPool(2, fail);
    sut.add(echo);
    sut.add(ticker);

    sut.take(echo);
    sut.take(echo);
    expect([echo.paused, ticker.paused]).toEqual([true, true]);

    sut.release(echo);
    expect([echo.paused, ticker.paused]).toEqual([false, false]);
    expect([echo.concurrency, ticker.concurrency]).toEqual([2, 1]);
  });

  it('should reserve a freed slot for the queue refused one, so the queue that freed it cannot fetch first', () => {
    const [busy, starved] = [consumer(), consumer()];
    const sut = new SlotPool(1, fail);
    sut.add(busy);
    sut.add(starved);
    sut.take(busy);
    expect(sut.take(starved)).toBe(false);

    sut.release(busy);

    expect([busy.paused, starved.paused]).toEqual([true, false]);
    expect(sut.take(busy)).toBe(false);
    expect(sut.take(starved)).toBe(true);
  });

  it('should let the reservation go when another slot frees before its queue takes it', () => {
    const [busy, starved] = [consumer(), consumer()];
    const sut = new SlotPool(2, fail);
    sut.add(busy);
    sut.add(starved);
    sut.take(busy);
    sut.take(busy);
    sut.take(starved);
    sut.release(busy);

    sut.release(busy);

    expect([busy.paused, starved.paused]).toEqual([false, false]);
    expect(sut.take(busy)).toBe(true);
  });

  it('should leave the queues alone once the worker is stopping', () => {
    const echo = consumer();
    const sut = new SlotPool(1, fail);
    sut.add(echo);
    sut.take(echo);

    sut.stop();
    sut.release(echo);

    expect(echo.paused).toBe(true);
  });
});
