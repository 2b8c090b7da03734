import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './redis-test-prefix';

/** Commands the Redis server has executed so far, from INFO commandstats. */
export async function redisCommandsSoFar(): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const stats = await redis.info('commandstats');
    return [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
  } finally {
    redis.disconnect();
  }
}
