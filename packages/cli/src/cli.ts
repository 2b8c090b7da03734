import type { ExitCode } from './exit-codes.js';
import { reportFailure } from './failure.js';
import type { CliStreams } from './output.js';
import { buildProgram } from './program.js';
import { Session } from './session.js';

/**
 * Runs one `bulkhead` invocation and answers its exit code; never throws and never exits the
 * process, so main decides and a test can call it with its own streams.
 */
export async function runCli(
  args: readonly string[],
  streams: CliStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<ExitCode> {
  const session = new Session(streams);
  try {
    await buildProgram(session, streams).parseAsync(args, { from: 'user' });
    return session.exitCode;
  } catch (error) {
    return reportFailure(error, streams.stderr);
  }
}
