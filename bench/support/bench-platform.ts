import { ADMIN_TOKEN, Platform, PlatformProcess } from '../../test/support/platform';

export { ADMIN_TOKEN, Platform, PlatformProcess };

export interface PlatformShape {
  readonly apis?: number;
  readonly workers?: number;
  readonly env?: Record<string, string>;
}

export interface HeapReading {
  readonly heapUsed: number;
  readonly rss: number;
}

/** A baseline server (or the bench-only API), with the port its ready line named. */
export interface Baseline {
  readonly process: PlatformProcess;
  readonly port: number;
}

/**
 * The built platform as the tests start it (test/support/platform.ts), in production's shape: no test
 * agents, and no log lines kept by the bench once each process is ready.
 */
export function startBenchPlatform(
  redisUrl: string,
  prefix: string,
  shape: PlatformShape,
): Promise<Platform> {
  return Platform.start({
    prefix,
    redisUrl,
    quiet: true,
    apis: shape.apis,
    workers: shape.workers,
    env: {
      BULKHEAD_TEST_AGENTS: 'false',
      WORKER_CONCURRENCY: '8',
      // The scenarios measure throughput with one tenant or a few: each may use the whole fleet.
      TENANT_MAX_FLEET_SHARE: '1',
      // One watcher socket follows every run a scenario submits, thousands a minute, and the memory
      // scenario holds a thousand idle sockets on one key.
      SOCKET_SUBSCRIBES_PER_MINUTE: '1000000',
      SOCKET_MAX_PER_KEY: '100000',
      SOCKET_MAX_PER_TENANT: '100000',
      ...shape.env,
    },
  });
}

/** Starts `script` (under dist/) and resolves once it prints the JSON line `{"msg": readyMsg}`. */
export async function startBaseline(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyMsg: string,
): Promise<Baseline> {
  const process = PlatformProcess.launch(script, script, args, env);
  try {
    const line = await process.waitFor(readyMsg, 30_000);
    process.stopReading();
    return { process, port: Number(line.port) };
  } catch (error) {
    await process.stop('SIGKILL');
    throw error;
  }
}

/** Heap after a forced GC, and RSS, answered over the process's diagnostics channel. */
export async function heapOf(process: PlatformProcess): Promise<HeapReading> {
  const { heapUsed, rss } = await process.stats();
  return { heapUsed, rss };
}

/** Runs `script` (under dist/) until it exits by itself; rejects unless it exits 0. */
export async function runToCompletion(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const process = PlatformProcess.launch(script, script, args, env);
  const code = await process.exited();
  if (code !== 0) {
    throw new Error(`${script} exited with ${code}: ${process.stderr.join('\n')}`);
  }
}
