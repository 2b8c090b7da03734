import { RunError } from '@bulkhead/store';

/** The abort reason of an attempt that reached its run's maximum duration. */
export const RUN_TIMED_OUT = 'run-timed-out';

/** An attempt may last the agent's own timeoutMs, and never longer than RUN_MAX_DURATION_MS. */
export function attemptLimitMs(agentTimeoutMs: number | undefined, maxDurationMs: number): number {
  return agentTimeoutMs === undefined ? maxDurationMs : Math.min(agentTimeoutMs, maxDurationMs);
}

export function timedOut(limitMs: number): RunError {
  return {
    code: 'timed_out',
    message: `The run was stopped after ${limitMs} ms, its maximum duration (the agent's timeoutMs, capped by RUN_MAX_DURATION_MS).`,
  };
}
