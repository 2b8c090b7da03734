import { StartupError } from './app-config';

/** Runs a process's bootstrap; a failure exits with a message a person can act on, not a stack dump. */
export async function bootOrExit(boot: () => Promise<void>): Promise<void> {
  try {
    await boot();
  } catch (error) {
    const message =
      error instanceof StartupError ? error.message : `Failed to start: ${describe(error)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
