import { PassThrough } from 'node:stream';
import { BulkheadError } from '@bulkhead/client';
import { CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { reportFailure } from './failure.js';
import { UsageError } from './usage-error.js';

describe(reportFailure.name, () => {
  function report(error: unknown): { code: ExitCode; stderr: string } {
    const stderr = new PassThrough();
    const code = reportFailure(error, stderr);
    return { code, stderr: String(stderr.read() ?? '') };
  }

  it("should print one line with the server's code and message and exit 1", () => {
    const error = new BulkheadError({
      status: 401,
      code: 'unauthorized',
      message: 'This API key is unknown\nor has been revoked.',
    });

    expect(report(error)).toEqual({
      code: ExitCode.failure,
      stderr: 'error: unauthorized: This API key is unknown or has been revoked.\n',
    });
  });

  it('should say when to retry a refused submission', () => {
    const error = new BulkheadError({
      status: 429,
      code: 'runs_per_minute',
      message: 'Over the rate.',
      retryAfter: 4,
    });

    expect(report(error).stderr).toBe('error: runs_per_minute: Over the rate. (retry after 4 s)\n');
  });

  it('should exit 2 for a usage error', () => {
    expect(report(new UsageError('Pass --key.'))).toEqual({
      code: ExitCode.usage,
      stderr: 'error: Pass --key.\n',
    });
  });

  it('should exit 2 for commander errors and 0 for help, printing nothing of its own', () => {
    const unknown = new CommanderError(1, 'commander.unknownCommand', "unknown command 'x'");
    const help = new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)');

    expect(report(unknown)).toEqual({ code: ExitCode.usage, stderr: '' });
    expect(report(help)).toEqual({ code: ExitCode.ok, stderr: '' });
  });
});
