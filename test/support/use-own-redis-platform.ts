import { Redis } from 'ioredis';
import { LocalRedis, startLocalRedis } from '../../scripts/local-redis';
import { Platform, PlatformOptions } from './platform';
import { uniquePrefix } from './redis-test-prefix';

export interface PlatformOnOwnRedis {
  readonly prefix: string;
  readonly platform: Platform;
  /** A command connection of the test's own to that Redis, for fault injection. */
  readonly redis: Redis;
}

/**
 * The built platform for the tests of one file on a redis-server of the file's own (a spare port, a
 * temporary directory), for tests that hurt Redis: nothing they do reaches the Redis other suites
 * share. Started before the tests, stopped after them with the Redis and its data.
 */
export function usePlatformOnOwnRedis(
  options: Omit<PlatformOptions, 'prefix'> = {},
): PlatformOnOwnRedis {
  const prefix = uniquePrefix();
  let local: LocalRedis | undefined;
  let started: Platform | undefined;
  let client: Redis | undefined;

  beforeAll(async () => {
    local = await startLocalRedis();
    client = new Redis(local.url);
    started = await Platform.start({
      ...options,
      prefix,
      env: { ...options.env, REDIS_URL: local.url },
    });
  });

  afterAll(async () => {
    await started?.stop();
    client?.disconnect();
    await local?.stop();
  });

  return {
    prefix,
    get platform(): Platform {
      if (!started) {
        throw new Error('The platform starts in beforeAll: read it inside hooks and tests.');
      }
      return started;
    },
    get redis(): Redis {
      if (!client) {
        throw new Error('Redis starts in beforeAll: read it inside hooks and tests.');
      }
      return client;
    },
  };
}
