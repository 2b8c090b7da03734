import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TenantContext, scopeFromJob } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { QUEUES, RunQueue } from '@bulkhead/queue';
import { RedisConnections, RedisKeys, RunStore } from '@bulkhead/store';
import { QueueEvents } from 'bullmq';
import { RunParking } from './run-parking';

const STALLED = /stalled/i;

/**
 * Ends the runs BullMQ gave up on without our processor seeing it: a job that stalled more than
 * WORKER_MAX_STALLED_COUNT times (its workers kept dying mid-run) is failed by BullMQ's stalled check,
 * and its run would otherwise stay `running`, holding a slot of its tenant, for ever. Every worker
 * hears every failure; the finish script lets exactly one of them end the run.
 */
@Injectable()
export class AbandonedRuns implements OnApplicationBootstrap, OnApplicationShutdown {
  private events: QueueEvents | undefined;

  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly queue: RunQueue,
    private readonly runs: RunStore,
    private readonly parking: RunParking,
    private readonly context: TenantContext,
    private readonly logger: AppLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.events = new QueueEvents(QUEUES.runs, {
      connection: this.connections.open('bullmq'),
      prefix: this.keys.queuePrefix,
    });
    this.events.on('failed', ({ jobId, failedReason }) => void this.settle(jobId, failedReason));
    this.events.on('error', (error) =>
      this.logger.error('abandoned_runs.error', { error: error.message }),
    );
    await this.events.waitUntilReady();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.events?.close();
  }

  private async settle(jobId: string, reason: string): Promise<void> {
    try {
      const job = await this.queue.find(jobId);
      if (!job) return;
      const scope = scopeFromJob(String(job.id), job.data?.context);
      const { tenantId, runId } = scope;
      if (!runId) return;
      await this.context.run(scope, async () => {
        const ended = await this.runs.finish(tenantId, runId, {
          status: 'failed',
          error: { message: messageFor(reason) },
        });
        const outcome = await this.parking.wake(ended);
        this.logger.warn('run.abandoned', { reason, outcome });
      });
    } catch (error) {
      this.logger.error('run.abandon_failed', { jobId, error: describeError(error) });
    }
  }
}

function messageFor(reason: string): string {
  if (STALLED.test(reason))
    return 'The run was abandoned: the workers running it stopped mid-run too many times.';
  return `The run could not be executed: ${reason}`;
}
