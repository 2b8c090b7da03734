import { Follower } from './run-followers';

/**
 * A follower's signal: wake() before wait() is not lost (the next wait returns at once), so a
 * notification between a read and the wait that follows it still counts.
 */
export class Wakeup implements Follower {
  private pending = false;
  private resolve: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    this.resolve?.();
  }

  /** True when woken; false when `ms` passed or `signal` aborted first. */
  wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (this.pending || signal.aborted) {
      const woken = this.pending;
      this.pending = false;
      return Promise.resolve(woken);
    }
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        this.resolve = undefined;
        this.pending = false;
        resolve(woken);
      };
      const aborted = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.resolve = () => done(true);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }
}
