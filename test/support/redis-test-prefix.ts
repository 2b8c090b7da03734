import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

/** Tests use the machine's Redis unless BULKHEAD_TEST_REDIS_URL names another. */
export const TEST_REDIS_URL = process.env.BULKHEAD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of this test file's own: cleanup deletes only keys under it, never FLUSHALL. */
export function uniquePrefix(): string {
  return `bh-test-${randomUUID().slice(0, 8)}`;
}

export async function deleteKeysUnder(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        deleted += await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
