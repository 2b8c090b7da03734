import { Test, TestingModule } from '@nestjs/testing';
import { APP_CONFIG, AppConfig, ConfigModule, parseConfig } from '@bulkhead/config';
import { ContextModule } from '@bulkhead/context';
import { AppLogger, LoggingModule } from '@bulkhead/logging';
import {
  EventLog,
  REDIS,
  RedisKeys,
  RunStore,
  SocketSeats,
  StoreModule,
  TenantLimits,
  WorkerFleet,
} from '@bulkhead/store';
import type { Redis } from 'ioredis';
import { TEST_REDIS_URL, deleteKeysUnder, uniquePrefix } from '../../support/redis-test-prefix';

/**
 * One in-process Nest application context with the store's providers and its own Redis command
 * connection, as one API or worker process has: two of them on one prefix race as two processes do.
 */
export interface StoreApp {
  readonly module: TestingModule;
  readonly config: AppConfig;
  readonly keys: RedisKeys;
  /** The app's command connection, with Bulkhead's scripts defined: for reading what they wrote. */
  readonly redis: Redis;
  readonly runs: RunStore;
  readonly events: EventLog;
  readonly limits: TenantLimits;
  readonly seats: SocketSeats;
  readonly fleet: WorkerFleet;
  readonly logger: AppLogger;
}

export interface StoreOptions {
  /** Environment variables over the defaults, parsed as the processes parse theirs. */
  readonly env?: Record<string, string>;
  /** How many apps share the file's prefix (default 1). */
  readonly apps?: number;
}

export interface StoreUnderTest {
  /** This file's own key prefix: its cleanup deletes only keys under it. */
  readonly prefix: string;
  /** The first app. */
  readonly app: StoreApp;
  readonly apps: readonly StoreApp[];
  /** The app the i-th of many calls goes to, round robin, so they race over every connection. */
  appFor(i: number): StoreApp;
}

/**
 * The store of one test file against the real Redis: its apps are started before the file's tests
 * under a key prefix of the file's own, closed after them, and the prefix's keys deleted (never
 * FLUSHALL: other suites share the server). Read `app` and `apps` inside hooks and tests.
 */
export function useStore(options: StoreOptions = {}): StoreUnderTest {
  const prefix = uniquePrefix();
  const config = parseConfig({
    BULKHEAD_ADMIN_TOKEN: 'x'.repeat(16),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const started: StoreApp[] = [];

  beforeAll(async () => {
    for (let i = 0; i < (options.apps ?? 1); i += 1) {
      started.push(await startStoreApp(config));
    }
  });

  afterAll(async () => {
    await Promise.all(started.splice(0).map((app) => app.module.close()));
    await deleteKeysUnder(prefix);
  });

  return {
    prefix,
    get app(): StoreApp {
      const [first] = started;
      if (!first) {
        throw new Error(NOT_STARTED);
      }
      return first;
    },
    get apps(): readonly StoreApp[] {
      if (started.length === 0) {
        throw new Error(NOT_STARTED);
      }
      return started;
    },
    appFor(i: number): StoreApp {
      return started[i % started.length] ?? this.app;
    },
  };
}

const NOT_STARTED = 'The store starts in beforeAll: read it inside hooks and tests.';

async function startStoreApp(config: AppConfig): Promise<StoreApp> {
  const module = await Test.createTestingModule({
    imports: [ConfigModule.withConfig(config), ContextModule, LoggingModule, StoreModule],
  }).compile();
  await module.init();
  return {
    module,
    config: module.get<AppConfig>(APP_CONFIG),
    keys: module.get(RedisKeys),
    redis: module.get<Redis>(REDIS),
    runs: module.get(RunStore),
    events: module.get(EventLog),
    limits: module.get(TenantLimits),
    seats: module.get(SocketSeats),
    fleet: module.get(WorkerFleet),
    logger: module.get(AppLogger),
  };
}
