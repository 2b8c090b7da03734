import { Platform, PlatformOptions } from './platform';
import { deleteKeysUnder, uniquePrefix } from './redis-test-prefix';

export interface PlatformUnderTest {
  /** This file's own key prefix: its cleanup deletes only keys under it. */
  readonly prefix: string;
  readonly platform: Platform;
}

/**
 * The built platform for the tests of one file: started before them under a key prefix of the file's
 * own, stopped after them, and its keys deleted. Read `platform` inside hooks and tests.
 */
export function usePlatform(options: Omit<PlatformOptions, 'prefix'> = {}): PlatformUnderTest {
  const prefix = uniquePrefix();
  let started: Platform | undefined;

  beforeAll(async () => {
    started = await Platform.start({ ...options, prefix });
  });

  afterAll(async () => {
    await started?.stop();
    await deleteKeysUnder(prefix);
  });

  return {
    prefix,
    get platform(): Platform {
      if (!started) {
        throw new Error('The platform starts in beforeAll: read it inside hooks and tests.');
      }
      return started;
    },
  };
}
