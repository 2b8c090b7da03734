import { RunError } from '@bulkhead/store';

/** The abort reason of an attempt that reached its run's maximum duration. */
export const RUN_TIMED_OUT = 'run-timed-out';

/** A run may last the agent's own timeoutMs, and never longer than RUN_MAX_DURATION_MS. */
export function runLimitMs(agentTimeoutMs: number | undefined, maxDurationMs: number): number {
  return agentTimeoutMs === undefined ? maxDurationMs : Math.min(agentTimeoutMs, maxDurationMs);
}

/**
 * What is left of a run's limit for this attempt: the limit counts from the run's first start, over
 * every attempt (retries, hand-backs, recoveries), so no run outlives it by starting again. The time
 * since that start is measured on Redis's clock, so hosts whose clocks differ agree. 0 when spent.
 */
export function remainingMs(limitMs: number, elapsedMs: number): number {
  if (!Number.isFinite(elapsedMs)) {
    return limitMs;
  }
  return Math.max(0, limitMs - Math.max(0, elapsedMs));
}

export function timedOut(limitMs: number): RunError {
  return {
    code: 'timed_out',
    message: `The run was stopped at ${limitMs} ms after it first started, its maximum duration (the agent's timeoutMs, capped by RUN_MAX_DURATION_MS).`,
  };
}
