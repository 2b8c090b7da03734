/**
 * `bulkhead runs events … | head` closes our stdout early. Nothing more can be shown, so stop at
 * once rather than follow a run for a reader that left (Node would otherwise throw EPIPE).
 */
export function exitQuietlyOnBrokenPipe(stdout: NodeJS.WriteStream): void {
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') {
      throw error;
    }
    process.exit(0);
  });
}
