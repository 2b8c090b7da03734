import type { Command } from 'commander';
import { UsageError } from '../usage-error.js';

/** The options of every command that can follow a run live (`runs submit`, `runs events`). */
export interface FollowFlags {
  readonly follow?: boolean;
  readonly cancelOnInterrupt?: boolean;
}

export function withFollowOptions(command: Command): Command {
  return command
    .option('--follow', 'stream live events until the run ends; exit with its outcome')
    .option('--cancel-on-interrupt', 'with --follow, Ctrl-C cancels the run instead of leaving it');
}

/** --cancel-on-interrupt means nothing without --follow: say so rather than ignore it. */
export function checkFollowFlags(flags: FollowFlags): void {
  if (flags.cancelOnInterrupt === true && flags.follow !== true) {
    throw new UsageError('--cancel-on-interrupt only applies with --follow.');
  }
}
