import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Interface, createInterface } from 'node:readline';
import { TEST_REDIS_URL } from './redis-test-prefix';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
/** The suites' master key for provider credentials (32 bytes of base64), never a real one. */
export const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
/** The built output: found from the repository root, so this works from test/ and from dist/ (the bench). */
const DIST = join(repositoryRoot(__dirname), 'dist');
const BOOT_TIMEOUT_MS = 20_000;

export interface LogLine {
  readonly msg?: string;
  readonly tenantId?: string;
  readonly runId?: string;
  readonly [field: string]: unknown;
}

export interface ProcessStats {
  readonly pid: number;
  readonly heapUsed: number;
  readonly rss: number;
  readonly gcForced: boolean;
  readonly registries: { live: number; opened: number; disposed: number };
  readonly extra: Record<string, number>;
}

/**
 * One running process of the built platform (or a benchmark's baseline server), with every JSON line
 * it printed, and its diagnostics over IPC (heap after a forced GC, live registries, sockets and rooms).
 */
export class PlatformProcess {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  private readonly stdout: Interface;
  private nextRequest = 0;
  private stopping = false;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.stdout = createInterface({ input: child.stdout! });
    this.stdout.on('line', (line) => this.lines.push(parseLine(line)));
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
    child.once('exit', (code, signal) => this.reportUnexpectedExit(code, signal));
  }

  /** Runs `script` (a path under dist/) with `args`; IPC carries the diagnostics. */
  static launch(
    name: string,
    script: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): PlatformProcess {
    return PlatformProcess.run(name, join(DIST, script), args, env);
  }

  /** Runs any script of the repository (an absolute path) with node, `args` and IPC. */
  static run(
    name: string,
    script: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): PlatformProcess {
    const child = spawn(process.execPath, ['--expose-gc', script, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    return new PlatformProcess(name, child);
  }

  /**
   * Stops parsing and keeping log lines (they are still drained): a benchmark's load makes hundreds
   * a second, which would cost the measuring process CPU and memory. `waitFor` sees no later line.
   */
  stopReading(): void {
    this.stdout.close();
    this.child.stdout?.resume();
  }

  /** A process that dies on its own explains every later failure of its suite: say so at once. */
  private reportUnexpectedExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) {
      return;
    }
    const lastLines = [
      ...this.lines.slice(-20).map((line) => JSON.stringify(line)),
      ...this.stderr,
    ];
    console.error(
      `${this.name} exited unexpectedly (code ${code}, signal ${signal}):\n${lastLines.join('\n')}`,
    );
  }

  async waitFor(msg: string, timeoutMs = BOOT_TIMEOUT_MS): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((line) => line.msg === msg);
      if (found) {
        return found;
      }
      if (this.child.exitCode !== null) {
        throw new Error(`${this.name} exited: ${this.stderr.join('\n')}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} printed no ${msg}: ${this.stderr.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  stats(): Promise<ProcessStats> {
    return this.ask('stats') as Promise<ProcessStats>;
  }

  async heapSnapshot(): Promise<string> {
    return ((await this.ask('heap-snapshot')) as { path: string }).path;
  }

  private ask(type: string): Promise<unknown> {
    const id = (this.nextRequest += 1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not answer ${type}`)),
        30_000,
      );
      const onMessage = (message: { id?: number }) => {
        if (message.id !== id) {
          return;
        }
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(message);
      };
      this.child.on('message', onMessage);
      this.child.send({ id, type });
    });
  }

  /** For a process that ends by itself: its exit is expected, and this resolves with its code. */
  async exited(): Promise<number | null> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return this.child.exitCode;
    }
    const [code] = (await once(this.child, 'exit')) as [number | null];
    return code;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = once(this.child, 'exit');
    this.stopping = true;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface PlatformOptions {
  readonly prefix: string;
  readonly apis?: number;
  readonly workers?: number;
  readonly env?: Record<string, string>;
  /** Default: the tests' Redis (TEST_REDIS_URL). */
  readonly redisUrl?: string;
  /** Keep no log lines once each process is ready (see PlatformProcess.stopReading). */
  readonly quiet?: boolean;
}

/** The built api and worker as separate processes against one Redis, as in production. */
export class Platform {
  private constructor(
    readonly apis: PlatformProcess[],
    readonly workers: PlatformProcess[],
    readonly urls: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly quiet: boolean,
  ) {}

  /**
   * With `workers: 0` no worker takes runs, but the API knows agents only from the registry, which
   * workers fill: one worker starts, registers the agents and stops before the API does.
   */
  static async start(options: PlatformOptions): Promise<Platform> {
    const env = platformEnv(options);
    const quiet = options.quiet ?? false;
    if ((options.workers ?? 1) === 0) {
      await registerAgents(env);
    }
    const workers = range(options.workers ?? 1).map((i) => launch(`worker-${i}`, 'worker', env));
    const apis = range(options.apis ?? 1).map((i) => launch(`api-${i}`, 'api', env));
    try {
      await Promise.all(workers.map((worker) => ready(worker, 'worker.ready', quiet)));
      const listening = await Promise.all(apis.map((api) => ready(api, 'api.listening', quiet)));
      const urls = listening.map((line) => `http://127.0.0.1:${String(line.port)}`);
      return new Platform(apis, workers, urls, env, quiet);
    } catch (error) {
      await Promise.all([...apis, ...workers].map((p) => p.stop('SIGKILL')));
      throw error;
    }
  }

  /** One more worker process (with `env` over the platform's), ready to take jobs when this resolves. */
  async startWorker(env: Record<string, string> = {}): Promise<PlatformProcess> {
    const worker = launch(`worker-${this.workers.length}`, 'worker', { ...this.env, ...env });
    this.workers.push(worker);
    await ready(worker, 'worker.ready', this.quiet);
    return worker;
  }

  /**
   * A worker for a team's agents: the SDK's own command, `bulkhead-worker <module>` (a path from the
   * repository's root), on this platform's Redis and prefix; ready to take runs when this resolves.
   */
  async startAgentWorker(
    name: string,
    module: string,
    env: Record<string, string> = {},
  ): Promise<PlatformProcess> {
    const root = repositoryRoot(__dirname);
    const worker = PlatformProcess.run(
      name,
      join(root, 'packages', 'worker', 'bin', 'bulkhead-worker.js'),
      [join(root, module)],
      { ...this.env, ...env },
    );
    this.workers.push(worker);
    await ready(worker, 'worker.ready', this.quiet);
    return worker;
  }

  /** One more API process, serving when this resolves; its URL is appended to `urls`. */
  async startApi(): Promise<PlatformProcess> {
    const api = launch(`api-${this.apis.length}`, 'api', this.env);
    this.apis.push(api);
    const line = await ready(api, 'api.listening', this.quiet);
    this.urls.push(`http://127.0.0.1:${String(line.port)}`);
    return api;
  }

  get url(): string {
    return this.urls[0] ?? '';
  }

  get logLines(): LogLine[] {
    return [...this.apis, ...this.workers].flatMap((p) => p.lines);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].map((p) => p.stop()));
  }
}

function platformEnv(options: PlatformOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PORT: '0',
    REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
    REDIS_KEY_PREFIX: options.prefix,
    BULKHEAD_ADMIN_TOKEN: ADMIN_TOKEN,
    BULKHEAD_SECRETS_KEY: SECRETS_KEY,
    WORKER_CONCURRENCY: '20',
    LOG_LEVEL: 'info',
    BULKHEAD_DIAGNOSTICS_IPC: 'true',
    BULKHEAD_TEST_AGENTS: 'true',
    // Suites stop processes with runs still in flight (fuzzed tickers of any length): stop quickly.
    SHUTDOWN_GRACE_MS: '500',
    SHUTDOWN_DRAIN_MS: '100',
    ...options.env,
  };
}

/** A worker that registers the agents it serves, then stops at once: it takes no run. */
async function registerAgents(env: NodeJS.ProcessEnv): Promise<void> {
  const worker = launch('agent-registration', 'worker', env);
  try {
    await worker.waitFor('worker.ready');
  } finally {
    await worker.stop();
  }
}

function launch(name: string, app: 'api' | 'worker', env: NodeJS.ProcessEnv): PlatformProcess {
  return PlatformProcess.launch(name, join('apps', app, 'src', 'main.js'), [], env);
}

async function ready(process: PlatformProcess, msg: string, quiet: boolean): Promise<LogLine> {
  const line = await process.waitFor(msg);
  if (quiet) {
    process.stopReading();
  }
  return line;
}

function repositoryRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`No package.json above ${from}`);
    }
    dir = parent;
  }
  return dir;
}

function parseLine(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { msg: undefined, text: line };
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
