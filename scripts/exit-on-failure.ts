/**
 * Ends a script's process whose work failed: the error on stderr and exit code 1. That is what Node
 * does with an unhandled rejection, said here in the code instead of left to Node; the callers that
 * spawn these scripts (npm start, the bench runner) see the same exit either way.
 */
export function exitOnFailure(error: unknown): never {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
