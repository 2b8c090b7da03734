#!/usr/bin/env node
import { exitQuietlyOnBrokenPipe } from './broken-pipe.js';
import { runCli } from './cli.js';
import { ExitCode } from './exit-codes.js';

exitQuietlyOnBrokenPipe(process.stdout);

// The exit code is set, not forced with process.exit(), so stdout is flushed before Node exits;
// every client is closed by then, so nothing keeps the process alive.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bulkhead: unexpected failure: ${String(error)}\n`);
    process.exitCode = ExitCode.failure;
  },
);
