/**
 * The process exit codes of `bulkhead`, in one table so docs/cli.md and scripts can rely on them.
 * A followed run's outcome is part of the contract: a script can `bulkhead runs submit … --follow`
 * and branch on `$?` without parsing the output.
 */
export const ExitCode = Object.freeze({
  ok: 0,
  failure: 1,
  usage: 2,
  cancelled: 3,
  interrupted: 130,
} as const);

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code a followed run ends with, from its terminal event; undefined for any other event. */
export function exitCodeOfTerminalEvent(type: string): ExitCode | undefined {
  if (type === 'run.succeeded') {
    return ExitCode.ok;
  }
  if (type === 'run.failed') {
    return ExitCode.failure;
  }
  if (type === 'run.cancelled') {
    return ExitCode.cancelled;
  }
  return undefined;
}

/** The same outcome read from a finished run's status, for a run that ended before we followed it. */
export function exitCodeOfStatus(status: string): ExitCode | undefined {
  return exitCodeOfTerminalEvent(`run.${status}`);
}
