import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTestRedis } from './ensure-test-redis';

/** E2e suites run the built processes (`npm test` builds first) against real Redis. */
export default async function globalSetup(): Promise<void> {
  const entries = ['api', 'worker'].map((app) =>
    join(__dirname, '..', '..', 'dist', 'apps', app, 'src', 'main.js'),
  );
  const missing = entries.filter((entry) => !existsSync(entry));
  if (missing.length > 0) {
    throw new Error(`Build first (npm run build): missing ${missing.join(', ')}`);
  }
  await ensureTestRedis('e2e');
}
