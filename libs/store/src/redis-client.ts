import type { Redis } from 'ioredis';
import { defineEventBatchScript } from './event-batch-script';
import { defineRunScripts } from './run-scripts';
import { defineProviderHealthScripts } from './provider-health-scripts';
import { defineSocketSeatScripts } from './socket-seat-scripts';
import { defineThreadLaneScripts } from './thread-lane-scripts';
import { defineThreadScripts } from './thread-scripts';
import { defineTokenUsageScripts } from './token-usage-scripts';
import { RedisConnections } from './redis-connections';

/** The injection token of the process's shared command connection (with Bulkhead's scripts defined). */
export const REDIS = Symbol('Redis');

export function commandConnection(connections: RedisConnections): Redis {
  const redis = connections.open('commands');
  defineRunScripts(redis);
  defineEventBatchScript(redis);
  defineSocketSeatScripts(redis);
  defineProviderHealthScripts(redis);
  defineTokenUsageScripts(redis);
  defineThreadScripts(redis);
  defineThreadLaneScripts(redis);
  return redis;
}
