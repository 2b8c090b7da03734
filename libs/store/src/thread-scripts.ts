import type { Redis, Result } from 'ioredis';
import { CLOCK } from './run-scripts/lua/clock.lua';

/**
 * bulkheadCreateThread: a thread of the LangGraph API, in one step, so two creations of one id
 * cannot both succeed and a tenant's cap holds under concurrency. Times are Redis's clock.
 *
 * KEYS[1]  the thread's hash
 * KEYS[2]  the tenant's thread index (sorted set by creation order: a per-tenant sequence)
 * KEYS[3]  the tenant's thread sequence
 * ARGV[1]  the thread id
 * ARGV[2]  its metadata (JSON)
 * ARGV[3]  threads a tenant may hold
 * Returns  { 'created' or 'exists', metadata, createdMs, updatedMs } of the thread, or { 'full' }
 */
const CREATE = `${CLOCK}
local function answer(kind)
  local fields = redis.call('HMGET', KEYS[1], 'metadata', 'createdMs', 'updatedMs')
  return { kind, fields[1], fields[2], fields[3] }
end
if redis.call('EXISTS', KEYS[1]) == 1 then return answer('exists') end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return { 'full' } end
local now = clockMs()
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'metadata', ARGV[2], 'createdMs', now, 'updatedMs', now)
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
return answer('created')
`;

/**
 * bulkheadDeleteThread: removes a thread, its index entry and its lane together. Its active run (if
 * any) and the runs waiting on it are returned, for the caller to cancel: none of them could be
 * found through the thread any more, and the waiting ones would never start.
 *
 * KEYS[1]  the thread's hash
 * KEYS[2]  the tenant's thread index
 * KEYS[3]  the thread's runs   KEYS[4] its waiting runs   KEYS[5] their jobs
 * ARGV[1]  the thread id
 * Returns  { 1 when it existed, else 0, active run id…, waiting run id… }
 */
const DELETE = `
local answer = { redis.call('EXISTS', KEYS[1]) }
local active = redis.call('HGET', KEYS[1], 'active')
if active then answer[#answer + 1] = active end
for _, id in ipairs(redis.call('LRANGE', KEYS[4], 0, -1)) do answer[#answer + 1] = id end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4], KEYS[5])
redis.call('ZREM', KEYS[2], ARGV[1])
return answer
`;

type ScriptArg = string | number;

/** Registers the thread scripts on a client; ioredis then calls them by SHA. */
export function defineThreadScripts(redis: Redis): void {
  redis.defineCommand('bulkheadCreateThread', { numberOfKeys: 3, lua: CREATE });
  redis.defineCommand('bulkheadDeleteThread', { numberOfKeys: 5, lua: DELETE });
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulkheadCreateThread(
      ...args: ScriptArg[]
    ): Result<['created' | 'exists', string, string, string] | ['full'], Context>;
    bulkheadDeleteThread(...args: ScriptArg[]): Result<[number, ...string[]], Context>;
  }
}
