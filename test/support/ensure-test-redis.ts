import { hasRedisServer, isRedisAt, startLocalRedis } from '../../scripts/local-redis';

/**
 * The suites use the machine's Redis on 127.0.0.1:6379 (or the one BULKHEAD_TEST_REDIS_URL names),
 * or, when none answers there, a throwaway redis-server started here and stopped by
 * global-teardown.ts. `who` names the suites in the error when there is neither.
 */
export async function ensureTestRedis(who: string): Promise<void> {
  if (process.env.BULKHEAD_TEST_REDIS_URL || (await isRedisAt('127.0.0.1', 6379))) {
    return;
  }
  if (!hasRedisServer()) {
    throw new Error(`The ${who} suites need Redis on 127.0.0.1:6379 or redis-server on PATH.`);
  }
  const redis = await startLocalRedis();
  process.env.BULKHEAD_TEST_REDIS_URL = redis.url;
  (globalThis as { bulkheadTestRedis?: typeof redis }).bulkheadTestRedis = redis;
}
