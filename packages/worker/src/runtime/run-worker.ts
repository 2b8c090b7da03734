import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { RunJob, queueNameOf } from '@bulkhead/queue';
import { AgentCatalogue } from '../agent-catalogue';
import { AgentRegistry, RedisConnections, RedisKeys, WorkerFleet } from '@bulkhead/store';
import { DelayedError, Job, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AbandonedRuns } from './abandoned-runs';
import { RunProcessor } from './run.processor';
import { SlotPool } from './slot-pool';
import { WORKER_STOPPING } from './worker-stopping';

const cancelMessage = z.object({ tenantId: z.string(), runId: z.string() });

/**
 * Hosts this process's BullMQ workers, one per agent it serves, each on that agent's queue: the
 * process receives only runs it can run. They share the process's WORKER_CONCURRENCY slots
 * (SlotPool). Each job goes through the job door (RunProcessor), which opens the job's own
 * ExecutionRegistry; nothing per job is kept here. Cancel requests arrive on a pub/sub channel that
 * every worker process hears; the one running the job aborts it via BullMQ.
 */
@Injectable()
export class RunWorker implements BeforeApplicationShutdown {
  /** One BullMQ worker per agent served, each on its agent's queue. */
  private consumers: readonly Worker<RunJob>[] = [];
  private cancellations: Redis | undefined;
  private readonly slots: SlotPool;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly processor: RunProcessor,
    private readonly logger: AppLogger,
    private readonly abandoned: AbandonedRuns,
    private readonly fleet: WorkerFleet,
    private readonly registry: AgentRegistry,
    private readonly agents: AgentCatalogue,
  ) {
    this.slots = new SlotPool(config.WORKER_CONCURRENCY, (error) =>
      this.logger.error('worker.error', { error: describeError(error) }),
    );
  }

  /** Slots no run holds now (of WORKER_CONCURRENCY), for the metrics. */
  get freeSlots(): number {
    return this.slots.free;
  }

  /**
   * Called once the worker's context is up (startWorker): a failure here rejects, and the caller
   * closes the context, so a worker that could not start leaves nothing running.
   */
  async start(): Promise<void> {
    // Registered, and counted in the fleet, before the first job: the API lists what this worker
    // serves, and every tenant's share includes these slots.
    const manifests = this.agents.manifests();
    await this.registry.register(manifests);
    await this.fleet.join(
      `worker-${randomUUID()}`,
      this.config.WORKER_CONCURRENCY,
      manifests.map(({ name, version }) => ({ name, version })),
    );
    this.cancellations = this.connections.open('subscriber');
    this.cancellations.on('message', (_channel: string, message: string) => this.cancel(message));
    await this.cancellations.subscribe(this.keys.cancelChannel);
    // One command connection for every agent's worker; BullMQ opens each its blocking one.
    const connection = this.connections.open('bullmq');
    this.consumers = this.agents.names().map((agent) => this.consume(agent, connection));
    await Promise.all(this.consumers.map((worker) => worker.waitUntilReady()));
    this.logger.info('worker.ready', {
      concurrency: this.config.WORKER_CONCURRENCY,
      agents: this.agents.names(),
    });
  }

  private consume(agent: string, connection: Redis): Worker<RunJob> {
    const worker: Worker<RunJob> = new Worker<RunJob>(
      queueNameOf(agent),
      (job, token, signal): Promise<void> => this.process(worker, job, token, signal),
      {
        connection,
        prefix: this.keys.queuePrefix,
        concurrency: this.config.WORKER_CONCURRENCY,
        lockDuration: this.config.WORKER_LOCK_MS,
        stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
        // Past it BullMQ fails the job without calling us; AbandonedRuns then ends the run.
        maxStalledCount: this.config.WORKER_MAX_STALLED_COUNT,
      },
    );
    worker.on('error', (error) => this.logger.error('worker.error', { error: error.message }));
    // Attached before the worker's first fetch completes, so no failure goes unheard.
    worker.on('failed', (job, error) => void this.abandoned.settle(job, error));
    this.slots.add(worker);
    return worker;
  }

  /**
   * Stops taking jobs and lets in-flight runs finish for SHUTDOWN_GRACE_MS; then aborts them with
   * WORKER_STOPPING, and each is requeued for another worker. Cancels are still heard meanwhile. It
   * runs before any shutdown hook, so the Redis connections are still open throughout.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.slots.stop();
    const workers = this.consumers;
    const closed = Promise.all(workers.map((worker) => worker.close()));
    if (!(await settlesWithin(closed, this.config.SHUTDOWN_GRACE_MS))) {
      this.logger.warn('worker.grace_expired', { graceMs: this.config.SHUTDOWN_GRACE_MS });
      workers.forEach((worker) => worker.cancelAllJobs(WORKER_STOPPING));
      await closed;
    }
    await this.cancellations?.unsubscribe();
  }

  /** A run takes one of the process's slots; if another agent's worker took the last, it goes back. */
  private async process(
    worker: Worker<RunJob>,
    job: Job<RunJob>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (!this.slots.take(worker)) {
      await this.handBack(job, token);
    }
    try {
      await this.processor.process(job, token, signal);
    } finally {
      this.slots.release(worker);
    }
  }

  /**
   * The run goes back to its queue unstarted, spending no attempt. Should even that fail (its lock
   * lost, Redis gone), BullMQ is still told it was moved, not failed: the job is then left active
   * with no lock, and BullMQ's stalled check returns it to the queue.
   */
  private async handBack(job: Job<RunJob>, token: string | undefined): Promise<never> {
    try {
      await job.moveToDelayed(Date.now(), token);
    } catch (error) {
      this.logger.warn('run.hand_back_failed', { jobId: job.id, error: describeError(error) });
    }
    throw new DelayedError('every slot of this worker is taken');
  }

  private cancel(message: string): void {
    const parsed = cancelMessage.safeParse(safeJson(message));
    if (!parsed.success) {
      this.logger.warn('cancel.malformed');
      return;
    }
    const { tenantId, runId } = parsed.data;
    const aborted = this.consumers.some((worker) => worker.cancelJob(runId, 'cancelled'));
    if (aborted) {
      this.logger.info('run.cancel_delivered', { tenantId, runId });
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
