import { JobContext, jobContextSchema } from '@bulkhead/context';
import { z } from 'zod';

export const JOBS = { executeRun: 'execute-run' } as const;

const QUEUE_NAME_PREFIX = 'runs.';

/**
 * Each agent's runs have a BullMQ queue of their own, so a worker receives only the runs of the
 * agents it serves (it consumes one queue per agent). Agent names never hold '.', so the name maps
 * back; BullMQ refuses ':' in a queue name, which agent names never hold either.
 */
export function queueNameOf(agent: string): string {
  return `${QUEUE_NAME_PREFIX}${agent}`;
}

/** The agent whose queue this is (queueNameOf's inverse). */
export function agentOfQueue(queueName: string): string {
  return queueName.slice(QUEUE_NAME_PREFIX.length);
}

export interface RunJob {
  /** The whole payload of a run job: the context envelope and nothing else; the run record has the rest. */
  readonly context: JobContext;
}

export const runJobSchema = z.object({ context: jobContextSchema });

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoff: { readonly type: 'fixed' | 'exponential'; readonly delay: number };
}

/** A run whose job may be promoted: its id (the job's) and its agent (the job's queue). */
export interface QueuedRun {
  readonly runId: JobContext['runId'];
  readonly agent: string;
}
