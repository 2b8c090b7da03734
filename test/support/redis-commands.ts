import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './redis-test-prefix';

/**
 * Commands the Redis server has executed so far, from INFO commandstats: every command counts, those
 * a script runs as well as the script's own call. Counted over everything the server does.
 */
export async function redisCommandsSoFar(url = TEST_REDIS_URL): Promise<number> {
  const redis = new Redis(url);
  try {
    const stats = await redis.info('commandstats');
    return [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
  } finally {
    redis.disconnect();
  }
}
