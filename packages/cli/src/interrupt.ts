/** Ctrl-C while following, as an AbortSignal the event stream and the follower both honour. */
export interface InterruptWatch {
  readonly signal: AbortSignal;
  /** Stops listening; a later Ctrl-C gets Node's default (the process ends at once). */
  dispose(): void;
}

/**
 * Listens for the first SIGINT only: a second Ctrl-C while we cancel or print the hint falls back
 * to the default handler, so a stuck request can always be killed.
 */
export function watchInterrupt(): InterruptWatch {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', abort) };
}
