import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, bootOrExit, readWorkerConfig } from '@bulkhead/config';
import { AgentDefinition } from './agent';
import { AgentCatalogue } from './agent-catalogue';
import { RunWorker } from './runtime/run-worker';
import { WorkerModule } from './worker.module';

export interface WorkerOptions {
  /** What this worker serves: it receives runs of these agents only. */
  readonly agents: readonly AgentDefinition[];
  /** REDIS_URL otherwise (default redis://127.0.0.1:6379). */
  readonly redisUrl?: string;
  /** REDIS_KEY_PREFIX otherwise (default bulkhead): the platform's, so it sees the same runs. */
  readonly keyPrefix?: string;
  /** WORKER_CONCURRENCY otherwise (default 8): runs at once in this process, over all its agents. */
  readonly concurrency?: number;
  /** LOG_LEVEL otherwise (default info). */
  readonly logLevel?: AppConfig['LOG_LEVEL'];
  /** The rest of the worker's settings: process.env unless given (the README's table). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface WorkerHandle {
  /**
   * Stops taking runs, lets in-flight ones finish for SHUTDOWN_GRACE_MS, hands the rest to other
   * workers, then leaves the fleet: what SIGTERM does to `npm run start:worker`.
   */
  close(): Promise<void>;
}

/**
 * Starts a worker in this process: it registers its agents, joins the fleet and takes their runs
 * until close(). The options win over the environment; both are validated as the platform's worker
 * validates them, and a bad value throws InvalidConfigError naming it.
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const config = readWorkerConfig(
    {
      REDIS_URL: options.redisUrl,
      REDIS_KEY_PREFIX: options.keyPrefix,
      WORKER_CONCURRENCY: options.concurrency?.toString(),
      LOG_LEVEL: options.logLevel,
    },
    options.env,
  );
  return hostWorker(config, options.agents, { signals: false });
}

/**
 * A process that is a worker and nothing else (`bulkhead-worker`, `npm run start:worker`): the
 * configuration from the environment, SIGTERM and SIGINT shut it down gracefully, and a failure to
 * start exits 1 with a message.
 */
export function runWorkerProcess(
  agentsFor: (config: AppConfig) => readonly AgentDefinition[],
): Promise<void> {
  return bootOrExit(async () => {
    const config = readWorkerConfig();
    await hostWorker(config, agentsFor(config), { signals: true });
  });
}

async function hostWorker(
  config: AppConfig,
  agents: readonly AgentDefinition[],
  { signals }: { signals: boolean },
): Promise<WorkerHandle> {
  const catalogue = new AgentCatalogue(agents);
  // abortOnError false: a failure rejects, and never exits a process that hosts a worker.
  const app = await NestFactory.createApplicationContext(
    WorkerModule.with(ConfigModule.withConfig(config), catalogue),
    { logger: ['error', 'warn'], abortOnError: false },
  );
  if (signals) {
    app.enableShutdownHooks();
  }
  try {
    await app.get(RunWorker).start();
  } catch (error) {
    await app.close();
    throw error;
  }
  return { close: () => app.close() };
}
