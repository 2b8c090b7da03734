import { runWorkerProcess } from './start-worker';
import { agentsOfModule } from './worker-module-loader';

const USAGE = `Usage: bulkhead-worker <module>

Runs a Bulkhead worker for the agents <module> exports (export const agents = [defineAgent(...)]).
Settings come from the environment: REDIS_URL, REDIS_KEY_PREFIX, WORKER_CONCURRENCY, LOG_LEVEL, ...
SIGTERM or SIGINT stop it gracefully: in-flight runs finish or move to another worker.
`;

/** `bulkhead-worker <module>`: the same process as `npm run start:worker`, for a team's agents. */
export function main(argv: readonly string[]): void {
  const [path, ...rest] = argv;
  if (path === '--help' || path === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (path === undefined || rest.length > 0) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  // Loaded inside the boot, so a module that fails to load exits 1 with its message.
  void runWorkerProcess(() => agentsOfModule(path));
}
