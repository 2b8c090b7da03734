import type { Command } from 'commander';
import { resolveConfig, type CliConfig, type GlobalFlags } from './config.js';
import { ExitCode } from './exit-codes.js';
import { Output, type CliStreams } from './output.js';

/** What a command's handler gets: this invocation's configuration and where to print. */
export interface CommandContext {
  readonly config: CliConfig;
  readonly out: Output;
}

export type CommandHandler = (context: CommandContext) => Promise<ExitCode>;

/**
 * One invocation of `bulkhead`. Commander's actions return nothing, so the handler's exit code is
 * kept here for main to hand to the process; an error thrown by a handler is reported by cli.ts.
 */
export class Session {
  exitCode: ExitCode = ExitCode.ok;

  constructor(
    private readonly streams: CliStreams,
    private readonly env?: NodeJS.ProcessEnv,
  ) {}

  /** Resolves the global flags (wherever they were written on the line) and runs the handler. */
  async run(command: Command, handler: CommandHandler): Promise<void> {
    const config = resolveConfig(command.optsWithGlobals<GlobalFlags>(), this.env);
    this.exitCode = await handler({ config, out: new Output(this.streams, config.json) });
  }
}
