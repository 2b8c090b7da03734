import { JobContext, jobContextSchema } from '@bulkhead/context';
import { z } from 'zod';

export const QUEUES = { runs: 'runs' } as const;
export const JOBS = { executeRun: 'execute-run' } as const;

/** The whole payload of a run job: the context envelope and nothing else; the run record has the rest. */
export interface RunJob {
  readonly context: JobContext;
}

export const runJobSchema = z.object({ context: jobContextSchema });

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoff: { readonly type: 'fixed' | 'exponential'; readonly delay: number };
}
