import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasRedisServer, isRedisAt, startLocalRedis } from '../../scripts/local-redis';

/**
 * E2e suites run the built processes (`npm test` builds first) against the machine's Redis on
 * 127.0.0.1:6379, or, when none answers there, against a throwaway redis-server started here.
 */
export default async function globalSetup(): Promise<void> {
  const entries = ['api', 'worker'].map((app) =>
    join(__dirname, '..', '..', 'dist', 'apps', app, 'src', 'main.js'),
  );
  const missing = entries.filter((entry) => !existsSync(entry));
  if (missing.length > 0) {
    throw new Error(`Build first (npm run build): missing ${missing.join(', ')}`);
  }
  if (process.env.BULKHEAD_TEST_REDIS_URL || (await isRedisAt('127.0.0.1', 6379))) {
    return;
  }
  if (!hasRedisServer()) {
    throw new Error('The e2e suites need Redis on 127.0.0.1:6379 or redis-server on PATH.');
  }
  const redis = await startLocalRedis();
  process.env.BULKHEAD_TEST_REDIS_URL = redis.url;
  (globalThis as { bulkheadTestRedis?: typeof redis }).bulkheadTestRedis = redis;
}
