/**
 * A mistake in how `bulkhead` was called (a missing key, bad JSON, an unreadable @file): reported
 * as one line on stderr and exit code 2, never as a stack trace. The message says what to fix.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
