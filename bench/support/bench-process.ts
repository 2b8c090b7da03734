import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const DIST = join(__dirname, '..', '..');
const BOOT_TIMEOUT_MS = 30_000;

export interface HeapReading {
  readonly heapUsed: number;
  readonly rss: number;
}

/**
 * One child process of the benchmark (a built API or worker, or a baseline server), with IPC for heap
 * readings. It resolves `ready` on the first stdout line that carries `readyMsg`.
 */
export class BenchProcess {
  private nextRequest = 0;

  private constructor(
    readonly child: ChildProcess,
    readonly readyLine: Record<string, unknown>,
  ) {}

  static async start(
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    readyMsg: string,
  ): Promise<BenchProcess> {
    const child = spawn(process.execPath, ['--expose-gc', join(DIST, script), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const lines = createInterface({ input: child.stdout! });
    const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start`)), BOOT_TIMEOUT_MS);
      lines.on('line', (line) => {
        const parsed = parseLine(line);
        if (parsed.msg !== readyMsg) {
          return;
        }
        clearTimeout(timer);
        // Log lines keep coming (as in production); drain them unread so they cost this process nothing.
        lines.close();
        child.stdout?.resume();
        resolve(parsed);
      });
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    });
    return new BenchProcess(child, await ready);
  }

  get port(): number {
    return Number(this.readyLine.port);
  }

  /** Heap after a forced GC, answered by the platform's diagnostics channel. */
  heap(): Promise<HeapReading> {
    const id = (this.nextRequest += 1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no diagnostics answer')), 30_000);
      const onMessage = (message: HeapReading & { id?: number }) => {
        if (message.id !== id) {
          return;
        }
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve({ heapUsed: message.heapUsed, rss: message.rss });
      };
      this.child.on('message', onMessage);
      this.child.send({ id, type: 'stats' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return {};
  }
}
