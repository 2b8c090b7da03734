const MINUTE_MS = 60_000;

/**
 * One socket's subscribe budget: a token bucket holding SOCKET_SUBSCRIBES_PER_MINUTE subscribes,
 * refilled evenly over a minute. A subscribe can replay a run's whole stream, so a client that
 * subscribes and unsubscribes in a loop would turn a few bytes in into a flood out; the bucket caps
 * that per socket. It lives in the socket's own state and dies with it.
 */
export class SubscribeAllowance {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perMinute: number,
    now: number = Date.now(),
  ) {
    this.tokens = perMinute;
    this.refilledAt = now;
  }

  /** Spends one subscribe; false (spending nothing) when the socket has none left. */
  take(now: number = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;
    return true;
  }

  /** Whole seconds until the next subscribe is allowed (0 if one is now). */
  secondsUntilNext(now: number = Date.now()): number {
    this.refill(now);
    const missing = Math.max(0, 1 - this.tokens);
    return Math.ceil((missing * MINUTE_MS) / this.perMinute / 1_000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.perMinute, this.tokens + (elapsed * this.perMinute) / MINUTE_MS);
    this.refilledAt = now;
  }
}
