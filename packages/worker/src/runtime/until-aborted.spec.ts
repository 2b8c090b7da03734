import { untilAborted } from './until-aborted';

/** Collects the process's unhandled rejections while `act` runs and a few turns after it. */
async function unhandledRejectionsDuring(act: () => Promise<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', record);
  try {
    await act().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', record);
  }
  return seen;
}

describe(untilAborted.name, () => {
  it('should settle with the work when the signal never fires', async () => {
    const result = await untilAborted(Promise.resolve(7), new AbortController().signal);

    expect(result).toBe(7);
  });

  it('should reject with the abort reason as soon as the signal fires, even if the work never settles', async () => {
    const abort = new AbortController();
    const pending = untilAborted(new Promise(() => undefined), abort.signal);

    abort.abort('cancelled');

    await expect(pending).rejects.toBe('cancelled');
  });

  it('should reject with the reason of a signal that already fired, and still handle the work rejecting after it', async () => {
    const abort = new AbortController();
    abort.abort('cancelled');
    const agent = (signal: AbortSignal) => Promise.resolve().then(() => signal.throwIfAborted());

    const unhandled = await unhandledRejectionsDuring(() =>
      expect(untilAborted(agent(abort.signal), abort.signal)).rejects.toBe('cancelled'),
    );

    expect(unhandled).toEqual([]);
  });
});
