import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './eventually';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'packages', 'cli', 'bin', 'bulkhead.js');
const BUILT = join(ROOT, 'packages', 'cli', 'dist', 'main.js');
const RUN_TIMEOUT_MS = 20_000;

/** The only variables a `bulkhead` child sees besides PATH: the test's own, never the runner's. */
export interface CliEnv {
  readonly BULKHEAD_URL?: string;
  readonly BULKHEAD_API_KEY?: string;
  readonly BULKHEAD_ADMIN_TOKEN?: string;
  readonly BULKHEAD_PROVIDER_API_KEY?: string;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One running `bulkhead` process and everything it printed so far. */
export class CliProcess {
  private out = '';
  private err = '';
  private readonly exit: Promise<CliResult>;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => (this.out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.err += chunk.toString()));
    this.exit = once(child, 'close').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
      stdout: this.out,
      stderr: this.err,
    }));
  }

  get stdout(): string {
    return this.out;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with stdout once it matches; fails early if the process exits first. */
  untilStdout(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    return eventually(
      () => {
        if (pattern.test(this.out)) {
          return this.out;
        }
        if (!this.isRunning) {
          throw new Error(`bulkhead exited first:\n${this.out}\n${this.err}`);
        }
        throw new Error(`no ${pattern} in stdout yet:\n${this.out}\n${this.err}`);
      },
      timeoutMs,
      25,
    );
  }

  /** Ctrl-C, as a terminal sends it. */
  interrupt(): void {
    this.child.kill('SIGINT');
  }

  /** Resolves when the process has exited and its output is read; kills it past the deadline. */
  async exited(timeoutMs = RUN_TIMEOUT_MS): Promise<CliResult> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    if (this.isRunning) {
      this.child.kill('SIGKILL');
    }
    await this.exit;
  }
}

/**
 * Starts the built `bulkhead` (node packages/cli/bin/bulkhead.js) with the given environment and
 * remembers every process, so a suite's afterAll can kill whatever a failed test left running.
 */
export class CliRunner {
  private readonly started: CliProcess[] = [];

  start(args: string[], env: CliEnv = {}): CliProcess {
    if (!existsSync(BUILT)) {
      throw new Error(`Build first (npm run build): missing ${BUILT}`);
    }
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
    });
    const cli = new CliProcess(child);
    this.started.push(cli);
    return cli;
  }

  /** Runs one command to its end: its exit code and its whole output. */
  run(args: string[], env: CliEnv = {}): Promise<CliResult> {
    return this.start(args, env).exited();
  }

  async killAll(): Promise<void> {
    await Promise.all(this.started.map((cli) => cli.kill()));
  }
}

/** The lines of an output, without the empty one after the last newline. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}
