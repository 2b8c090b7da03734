/** The abort reason a stopping worker gives its in-flight runs once the grace period is over. */
export const WORKER_STOPPING = 'worker-stopping';

/**
 * Thrown when Bulkhead itself (Redis) failed during an attempt, as opposed to the agent: the attempt
 * is not the agent's fault, so the job is delivered again later without spending one of its attempts.
 */
export class PlatformUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `Bulkhead could not reach its storage: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}
