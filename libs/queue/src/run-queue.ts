import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobContext } from '@bulkhead/context';
import { RedisKeys } from '@bulkhead/store';
import { PRIORITY_LIMIT, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS, QueuedRun, RetryPolicy, RunJob, queueNameOf } from './run-job';

export const RUNS_CONNECTION = Symbol('RunsConnection');

/** BullMQ answers a promote of a job that is no longer delayed (it woke by itself, or ended) so. */
const NOT_DELAYED = /is not in the delayed state|Missing key for job/;

/**
 * The producer side of the agents' queues (queueNameOf). The job id is the run id, so enqueuing one
 * run twice cannot make a second job. Jobs are removed once done: the run record, not BullMQ, keeps
 * the outcome. The priority is the tenant's backlog (RunStore.submit), so within each agent's queue
 * BullMQ serves tenants with small backlogs first. One Queue per agent that had a run, all on one
 * connection; their number is bounded by the registry's MAX_REGISTERED_AGENTS.
 */
@Injectable()
export class RunQueue implements OnApplicationShutdown {
  private readonly queues = new Map<string, Queue<RunJob>>();

  constructor(
    @Inject(RUNS_CONNECTION) private readonly connection: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async enqueue(
    agent: string,
    context: JobContext,
    retry: RetryPolicy,
    priority: number,
  ): Promise<void> {
    await this.queueOf(agent).add(
      JOBS.executeRun,
      { context },
      {
        jobId: context.runId,
        priority: Math.min(Math.max(1, priority), PRIORITY_LIMIT),
        attempts: retry.attempts,
        backoff: retry.backoff,
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Moves the delayed jobs of parked runs that now have a free slot back to their queues. */
  async promote(runs: readonly QueuedRun[]): Promise<void> {
    await Promise.all(runs.map((run) => this.promoteOne(run)));
  }

  private async promoteOne({ runId, agent }: QueuedRun): Promise<void> {
    const job = await this.queueOf(agent).getJob(runId);
    try {
      await job?.promote();
    } catch (error) {
      if (!(error instanceof Error && NOT_DELAYED.test(error.message))) {
        throw error;
      }
    }
  }

  private queueOf(agent: string): Queue<RunJob> {
    const known = this.queues.get(agent);
    if (known) {
      return known;
    }
    const queue = new Queue<RunJob>(queueNameOf(agent), {
      connection: this.connection,
      prefix: this.keys.queuePrefix,
    });
    this.queues.set(agent, queue);
    return queue;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
