/** An error for a log line: its stack, or whatever it is as text; total, it never throws. */
export function describeError(error: unknown): string {
  try {
    return error instanceof Error ? (error.stack ?? error.message) : String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}
