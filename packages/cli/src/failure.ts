import { BulkheadError } from '@bulkhead/client';
import { CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/**
 * Turns whatever a command threw into one line on stderr and an exit code: 2 for a usage error
 * (commander has already printed its own message), 1 for an error answered by the server or the
 * network, with the server's stable code first so scripts and people can both read it.
 */
export function reportFailure(error: unknown, stderr: NodeJS.WritableStream): ExitCode {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  stderr.write(`error: ${describeFailure(error)}\n`);
  return error instanceof UsageError ? ExitCode.usage : ExitCode.failure;
}

function describeFailure(error: unknown): string {
  if (error instanceof BulkheadError) {
    return describeServerError(error);
  }
  if (error instanceof Error) {
    return oneLine(error.message);
  }
  return oneLine(String(error));
}

function describeServerError(error: BulkheadError): string {
  const message = oneLine(error.message);
  const text = message.startsWith(error.code) ? message : `${error.code}: ${message}`;
  if (error.retryAfter === undefined) {
    return text;
  }
  return `${text} (retry after ${error.retryAfter} s)`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
