import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { AppLogger } from '@bulkhead/logging';
import { QUEUES, RunJob } from '@bulkhead/queue';
import { AgentCatalogue } from '../agent-catalogue';
import { AgentRegistry, RedisConnections, RedisKeys, WorkerFleet } from '@bulkhead/store';
import { Job, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AbandonedRuns } from './abandoned-runs';
import { RunProcessor } from './run.processor';
import { WORKER_STOPPING } from './worker-stopping';

const cancelMessage = z.object({ tenantId: z.string(), runId: z.string() });

/**
 * Hosts this process's BullMQ worker. Each job goes through the job door (RunProcessor), which opens
 * the job's own ExecutionRegistry; nothing per job is kept here. Cancel requests arrive on a
 * pub/sub channel that every worker process hears; the one running the job aborts it via BullMQ.
 */
@Injectable()
export class RunWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: Worker<RunJob> | undefined;
  private cancellations: Redis | undefined;

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
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Registered, and counted in the fleet, before the first job: the API lists what this worker
    // serves, and every tenant's share includes these slots.
    const manifests = this.agents.manifests();
    await this.registry.register(manifests);
    await this.fleet.join(
      `worker-${randomUUID()}`,
      this.config.WORKER_CONCURRENCY,
      manifests.map((manifest) => manifest.name),
    );
    this.cancellations = this.connections.open('subscriber');
    this.cancellations.on('message', (_channel: string, message: string) => this.cancel(message));
    await this.cancellations.subscribe(this.keys.cancelChannel);
    this.worker = new Worker<RunJob>(
      QUEUES.runs,
      (job, token, signal) => this.process(job, token, signal),
      {
        connection: this.connections.open('bullmq'),
        prefix: this.keys.queuePrefix,
        concurrency: this.config.WORKER_CONCURRENCY,
        lockDuration: this.config.WORKER_LOCK_MS,
        stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
        // Past it BullMQ fails the job without calling us; AbandonedRuns then ends the run.
        maxStalledCount: this.config.WORKER_MAX_STALLED_COUNT,
      },
    );
    this.worker.on('error', (error) => this.logger.error('worker.error', { error: error.message }));
    // Attached before the worker's first fetch completes, so no failure goes unheard.
    this.worker.on('failed', (job, error) => void this.abandoned.settle(job, error));
    await this.worker.waitUntilReady();
    this.logger.info('worker.ready', { concurrency: this.config.WORKER_CONCURRENCY });
  }

  /**
   * Stops taking jobs and lets in-flight runs finish for SHUTDOWN_GRACE_MS; then aborts them with
   * WORKER_STOPPING, and each is requeued for another worker. Cancels are still heard meanwhile. It
   * runs before any shutdown hook, so the Redis connections are still open throughout.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (worker) {
      const closed = worker.close();
      if (!(await settlesWithin(closed, this.config.SHUTDOWN_GRACE_MS))) {
        this.logger.warn('worker.grace_expired', { graceMs: this.config.SHUTDOWN_GRACE_MS });
        worker.cancelAllJobs(WORKER_STOPPING);
        await closed;
      }
    }
    await this.cancellations?.unsubscribe();
  }

  private async process(
    job: Job<RunJob>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await this.processor.process(job, token, signal);
  }

  private cancel(message: string): void {
    const parsed = cancelMessage.safeParse(safeJson(message));
    if (!parsed.success) {
      this.logger.warn('cancel.malformed');
      return;
    }
    const aborted = this.worker?.cancelJob(parsed.data.runId, 'cancelled') ?? false;
    if (aborted) {
      this.logger.info('run.cancel_delivered', {
        tenantId: parsed.data.tenantId,
        runId: parsed.data.runId,
      });
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
