/** An error as one loggable string: its stack when it has one. Never sent to a client. */
export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
