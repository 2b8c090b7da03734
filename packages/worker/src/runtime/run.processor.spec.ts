import { Test, TestingModule } from '@nestjs/testing';
import { ContextModule, RunId, TenantContext, TenantId } from '@bulkhead/context';
import { RunJob } from '@bulkhead/queue';
import { AppLogger } from '@bulkhead/logging';
import { ExecutionRegistry, RegistryModule, RegistryMonitor } from '@bulkhead/registry';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { AttemptOutcome } from './attempt-outcome';
import { RunExecutor } from './run-executor';
import { RunParking } from './run-parking';
import { AttemptFailedError, RunProcessor } from './run.processor';

interface Observation {
  readonly runId: string;
  readonly registryId: string;
  readonly registryTenant: string;
  readonly ambientTenants: string[];
}

/** Stands in for the executor (a port we own): records what each job's scope looks like. */
class RecordingExecutor {
  readonly observations: Observation[] = [];
  readonly controllers: AbortController[] = [];
  private started: () => void = () => undefined;
  readonly cancellableStarted = new Promise<void>((resolve) => (this.started = resolve));

  constructor(private readonly context: TenantContext) {}

  async execute(
    job: Job<RunJob>,
    registry: ExecutionRegistry,
    stop: AbortSignal | undefined,
  ): Promise<AttemptOutcome> {
    const ambientTenants: string[] = [];
    const observe = () => ambientTenants.push(this.context.require().tenantId);
    this.controllers.push(registry.abortController(registry.tenantId));
    observe();
    await sleep(Math.random() * 10);
    observe();
    this.observations.push({
      runId: job.data.context.runId,
      registryId: registry.id,
      registryTenant: registry.tenantId,
      ambientTenants,
    });
    const { runId } = job.data.context;
    if (runId.endsWith('fail')) {
      return { kind: 'retrying', message: 'agent failed' };
    }
    if (runId.endsWith('redis')) {
      throw new Error('Connection is closed.');
    }
    if (runId.endsWith('cancel')) {
      await this.untilStopped(stop);
    }
    return { kind: 'ended', status: 'succeeded' };
  }

  private async untilStopped(stop: AbortSignal | undefined): Promise<void> {
    const stopped = new Promise((resolve) => stop?.addEventListener('abort', resolve));
    this.started();
    await stopped;
  }
}

function jobFor(tenant: string, runId: string): Job<RunJob> {
  return {
    id: runId,
    data: { context: { tenantId: tenant as TenantId, runId: runId as RunId, requestId: 'r' } },
  } as Job<RunJob>;
}

describe(RunProcessor.name, () => {
  let moduleRef: TestingModule;
  let executor: RecordingExecutor;
  let monitor: RegistryMonitor;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ContextModule, RegistryModule],
      providers: [
        RunProcessor,
        { provide: AppLogger, useValue: { info: jest.fn(), warn: jest.fn(), error: jest.fn() } },
        { provide: RunParking, useValue: { park: jest.fn() } },
        {
          provide: RunExecutor,
          useFactory: (context: TenantContext) => new RecordingExecutor(context),
          inject: [TenantContext],
        },
      ],
    }).compile();
    executor = moduleRef.get<RunExecutor, RecordingExecutor>(RunExecutor);
    monitor = moduleRef.get(RegistryMonitor);
  });

  /** What RunWorker does per job: the one processor, which opens a fresh registry for it. */
  const process = (job: Job<RunJob>, stop?: AbortSignal) =>
    moduleRef.get(RunProcessor).process(job, 'lock-token', stop);

  it('should give 50 concurrent jobs 50 registries, each bound to its own tenant and context', async () => {
    const jobs = Array.from({ length: 50 }, (_, i) => jobFor(`tenant-${i % 7}`, `run-${i}`));

    await Promise.all(jobs.map((job) => process(job)));

    expect(new Set(executor.observations.map((o) => o.registryId)).size).toBe(50);
    for (const job of jobs) {
      const seen = executor.observations.find((o) => o.runId === job.data.context.runId);
      expect(seen?.registryTenant).toBe(job.data.context.tenantId);
      expect(seen?.ambientTenants).toEqual([job.data.context.tenantId, job.data.context.tenantId]);
    }
    expect(monitor.counts()).toEqual({ live: 0, opened: 50, disposed: 50 });
  });

  it('should dispose the registry of a job whose agent fails', async () => {
    await expect(process(jobFor('acme', 'run-1-fail'))).rejects.toBeInstanceOf(AttemptFailedError);

    expect(executor.controllers[0]?.signal.aborted).toBe(true);
    expect(monitor.counts().live).toBe(0);
  });

  it('should deliver a job again later, spending no attempt, when storage fails under it', async () => {
    const moveToDelayed = jest
      .fn<Promise<void>, [number, string | undefined]>()
      .mockResolvedValue();
    const job = { ...jobFor('acme', 'run-4-redis'), moveToDelayed } as unknown as Job<RunJob>;
    const before = Date.now();

    await expect(process(job)).rejects.toBeInstanceOf(DelayedError);

    expect(moveToDelayed).toHaveBeenCalledWith(expect.any(Number), 'lock-token');
    expect(moveToDelayed.mock.calls[0]?.[0]).toBeGreaterThanOrEqual(before + 1_000);
    expect(monitor.counts().live).toBe(0);
  });

  it('should dispose the registry of a job that is cancelled', async () => {
    const stop = new AbortController();
    const running = process(jobFor('acme', 'run-2-cancel'), stop.signal);
    await executor.cancellableStarted;
    expect(monitor.counts().live).toBe(1);

    stop.abort('cancelled');
    await running;

    expect(monitor.counts().live).toBe(0);
  });

  it('should refuse a job without a valid context as unrecoverable, and still dispose its registry', async () => {
    const job = {
      id: 'run-3',
      data: { context: { tenantId: '../other', runId: 'run-3', requestId: 'r' } },
    } as unknown as Job<RunJob>;

    await expect(process(job)).rejects.toBeInstanceOf(UnrecoverableError);

    expect(executor.observations).toEqual([]);
    expect(monitor.counts().live).toBe(0);
  });
});
