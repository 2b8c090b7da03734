import type { Redis, Result } from 'ioredis';

/**
 * Every change of a run's status is one Lua script, so a transition, its event and its index moves
 * happen atomically: two racing transitions (cancel and completion, two deliveries of one job) see
 * each other's result and exactly one terminal event is ever written.
 *
 * KEYS: run hash, event stream, index of all runs, the index of each status in RUN_STATUSES order, then
 * the tenant's submission counter. Indexes are sorted sets scored by submission order (newest highest).
 * ARGV: max stream length, events channel, tenantId, runId, now (ISO), retention seconds, then the
 * script's own arguments from ARGV[7].
 */
const PRELUDE = `
local runKey, streamKey = KEYS[1], KEYS[2]
local maxlen, channel, tenantId, runId, now, retention = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local INDEX = { queued = 4, running = 5, succeeded = 6, failed = 7, cancelled = 8 }
local TERMINAL = { succeeded = true, failed = true, cancelled = true }

local function append(etype, data)
  local seq = redis.call('HINCRBY', runKey, 'seq', 1)
  redis.call('XADD', streamKey, 'MAXLEN', '~', maxlen, seq .. '-0', 'type', etype, 'data', data, 'ts', now)
  redis.call('PUBLISH', channel, cjson.encode({ tenantId = tenantId, runId = runId, id = seq }))
  return seq
end

local function move(from, to)
  redis.call('ZREM', KEYS[INDEX[from]], runId)
  redis.call('ZADD', KEYS[INDEX[to]], redis.call('HGET', runKey, 'order'), runId)
end

local function finish(status, data)
  local from = redis.call('HGET', runKey, 'status')
  redis.call('HSET', runKey, 'status', status, 'finishedAt', now)
  move(from, status)
  append('run.' .. status, data)
  redis.call('EXPIRE', runKey, retention)
  redis.call('EXPIRE', streamKey, retention)
end

local function guard()
  local status = redis.call('HGET', runKey, 'status')
  if not status then return { 'missing' } end
  if TERMINAL[status] then return { 'finished', status } end
  return nil
end

-- The answer for a run that already ended, or whose accepted cancel ends it now; nil otherwise.
local function settle()
  local ended = guard()
  if ended then return ended end
  if redis.call('HEXISTS', runKey, 'cancelRequestedAt') == 1 then
    finish('cancelled', '{}')
    return { 'cancelled' }
  end
  return nil
end
`;

// KEYS[10]: the idempotency key's record; ARGV[11]: the request's body hash, '' without a key.
const SUBMIT = `${PRELUDE}
if ARGV[11] ~= '' then
  local claimed = redis.call('GET', KEYS[10])
  if claimed then
    local space = string.find(claimed, ' ', 1, true)
    return { 'duplicate', string.sub(claimed, 1, space - 1), string.sub(claimed, space + 1) }
  end
  redis.call('SET', KEYS[10], runId .. ' ' .. ARGV[11], 'EX', 86400)
end
if redis.call('EXISTS', runKey) == 1 then return { 'exists' } end
local order = redis.call('INCR', KEYS[9])
redis.call('HSET', runKey, 'id', runId, 'tenantId', tenantId, 'agent', ARGV[7], 'status', 'queued',
  'input', ARGV[8], 'attempts', 0, 'createdAt', now, 'seq', 0, 'order', order)
if ARGV[9] ~= '' then redis.call('HSET', runKey, 'metadata', ARGV[9]) end
redis.call('ZADD', KEYS[3], order, runId)
redis.call('ZADD', KEYS[INDEX.queued], order, runId)
for i = 3, 8 do redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(tonumber(ARGV[10]) + 1)) end
append('run.queued', '{}')
return { 'queued' }
`;

const START = `${PRELUDE}
local settled = settle()
if settled then return settled end
local status = redis.call('HGET', runKey, 'status')
local attempt = redis.call('HINCRBY', runKey, 'attempts', 1)
redis.call('HSET', runKey, 'status', 'running')
redis.call('HSETNX', runKey, 'startedAt', now)
move(status, 'running')
append('run.started', cjson.encode({ attempt = attempt, recovered = status == 'running' }))
return { 'started', attempt }
`;

// Back to the queue unfinished: ARGV[7] is the event (run.retrying or run.requeued), ARGV[8] its data.
const REQUEUE = `${PRELUDE}
local settled = settle()
if settled then return settled end
local status = redis.call('HGET', runKey, 'status')
redis.call('HSET', runKey, 'status', 'queued')
move(status, 'queued')
append(ARGV[7], ARGV[8])
return { 'queued' }
`;

const FINISH = `${PRELUDE}
local settled = settle()
if settled then return settled end
redis.call('HSET', runKey, ARGV[8], ARGV[9])
finish(ARGV[7], ARGV[10])
return { ARGV[7] }
`;

const CANCEL = `${PRELUDE}
local ended = guard()
if ended then return ended end
local status = redis.call('HGET', runKey, 'status')
if status == 'queued' then
  finish('cancelled', '{}')
  return { 'cancelled' }
end
if redis.call('HSETNX', runKey, 'cancelRequestedAt', now) == 1 then
  redis.call('PUBLISH', ARGV[7], cjson.encode({ tenantId = tenantId, runId = runId }))
end
return { 'cancelling' }
`;

const APPEND = `${PRELUDE}
if redis.call('HGET', runKey, 'status') ~= 'running' then return 0 end
return append(ARGV[7], ARGV[8])
`;

export const RUN_SCRIPT_KEY_COUNT = 9;

const SCRIPTS = Object.freeze({
  bulkheadSubmitRun: SUBMIT,
  bulkheadStartRun: START,
  bulkheadRequeueRun: REQUEUE,
  bulkheadFinishRun: FINISH,
  bulkheadCancelRun: CANCEL,
  bulkheadAppendEvent: APPEND,
} as const);

export type RunScriptName = keyof typeof SCRIPTS;

/** Registers the scripts on a client; ioredis then calls them by SHA and reloads them after a flush. */
export function defineRunScripts(redis: Redis): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    const numberOfKeys =
      name === 'bulkheadSubmitRun' ? RUN_SCRIPT_KEY_COUNT + 1 : RUN_SCRIPT_KEY_COUNT;
    redis.defineCommand(name, { numberOfKeys, lua });
  }
}

type ScriptArg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulkheadSubmitRun(...args: ScriptArg[]): Result<string[], Context>;
    bulkheadStartRun(...args: ScriptArg[]): Result<[string, number?], Context>;
    bulkheadRequeueRun(...args: ScriptArg[]): Result<string[], Context>;
    bulkheadFinishRun(...args: ScriptArg[]): Result<string[], Context>;
    bulkheadCancelRun(...args: ScriptArg[]): Result<string[], Context>;
    bulkheadAppendEvent(...args: ScriptArg[]): Result<number, Context>;
  }
}
