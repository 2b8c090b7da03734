import { hasRedisServer, isRedisAt, startLocalRedis } from '../../../scripts/local-redis';

/**
 * The medium suites run in process against the machine's Redis on 127.0.0.1:6379 (or the one
 * BULKHEAD_TEST_REDIS_URL names), or, when none answers there, a throwaway redis-server started here
 * and stopped by test/support/global-teardown.ts. They need no build.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.BULKHEAD_TEST_REDIS_URL || (await isRedisAt('127.0.0.1', 6379))) {
    return;
  }
  if (!hasRedisServer()) {
    throw new Error('The medium suites need Redis on 127.0.0.1:6379 or redis-server on PATH.');
  }
  const redis = await startLocalRedis();
  process.env.BULKHEAD_TEST_REDIS_URL = redis.url;
  (globalThis as { bulkheadTestRedis?: typeof redis }).bulkheadTestRedis = redis;
}
