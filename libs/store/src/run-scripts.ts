import type { Redis, Result } from 'ioredis';

/**
 * Every change of a run's status is one Lua script, so a transition, its event, its index moves and the
 * tenant's limits happen atomically: two racing transitions (cancel and completion, two deliveries of
 * one job) see each other's result and exactly one terminal event is ever written; two workers cannot
 * both take a tenant's last free slot.
 *
 * KEYS: run hash, event stream, index of all runs, the index of each status in RUN_STATUSES order, the
 * tenant's submission counter, its parked runs, its limits, its woken runs, its finished runs (scored
 * by finish time, for the retention sweep). Indexes are sorted sets scored by submission order (newest
 * highest); the queued and running indexes are the tenant's live usage, the index of all runs its
 * stored runs. Every key is the tenant's: one cluster slot.
 * ARGV: max stream length, events channel, tenantId, runId, now (ISO), retention seconds, the default
 * maxConcurrentRuns, maxQueuedRuns, runsPerMinute and maxStoredRuns, the tenant's share of the fleet
 * (0: no cap), then the script's own arguments from ARGV[12].
 */
const WAKE_FUNCTION = `
local function clockMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Slots taken: running runs, and woken runs that hold a slot until they start. A woken run that has not
-- started within 10 s (its job's promotion was lost) gives its slot back; it starts at its recheck.
local function occupied(runningKey, wokenKey)
  redis.call('ZREMRANGEBYSCORE', wokenKey, '-inf', clockMs() - 10000)
  return redis.call('ZCARD', runningKey) + redis.call('ZCARD', wokenKey)
end

-- Pops as many parked runs as the tenant has free slots and reserves the slots for them; the caller
-- promotes their delayed jobs.
local function wakeParked(runningKey, parkedKey, wokenKey, maxConcurrent)
  local free = maxConcurrent - occupied(runningKey, wokenKey)
  if free <= 0 then return {} end
  local popped = redis.call('ZPOPMIN', parkedKey, math.min(free, 100))
  local ids, now = {}, clockMs()
  for i = 1, #popped, 2 do
    ids[#ids + 1] = popped[i]
    redis.call('ZADD', wokenKey, now, popped[i])
  end
  return ids
end
`;

const PRELUDE = `${WAKE_FUNCTION}
local runKey, streamKey, parkedKey, limitsKey, wokenKey = KEYS[1], KEYS[2], KEYS[10], KEYS[11], KEYS[12]
local finishedKey = KEYS[13]
local maxlen, channel, tenantId, runId, now, retention = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local INDEX = { queued = 4, running = 5, succeeded = 6, failed = 7, cancelled = 8 }
local TERMINAL = { succeeded = true, failed = true, cancelled = true }
local DEFAULT_LIMITS = {
  maxConcurrentRuns = ARGV[7], maxQueuedRuns = ARGV[8], runsPerMinute = ARGV[9], maxStoredRuns = ARGV[10]
}
local FLEET_SHARE = tonumber(ARGV[11])

local function limit(name)
  return tonumber(redis.call('HGET', limitsKey, name) or DEFAULT_LIMITS[name])
end

-- The tenant's own limit, and never more than its share of the live fleet's slots.
local function maxConcurrent()
  local own = limit('maxConcurrentRuns')
  if FLEET_SHARE > 0 and FLEET_SHARE < own then return FLEET_SHARE end
  return own
end

local function atCapacity()
  return occupied(KEYS[INDEX.running], wokenKey) >= maxConcurrent()
end

local function wake()
  return wakeParked(KEYS[INDEX.running], parkedKey, wokenKey, maxConcurrent())
end

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
  redis.call('ZREM', parkedKey, runId)
  redis.call('ZREM', wokenKey, runId)
  move(from, status)
  redis.call('ZADD', finishedKey, clockMs(), runId)
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

// KEYS[14] the idempotency key's record, KEYS[15] the tenant's rate state, KEYS[16] its backlog peak.
// ARGV[12..15]: agent, input, metadata, the request's body hash ('' without a key).
// A replay is answered before any limit: it creates nothing. Rate is spent only by accepted runs.
const SUBMIT = `${PRELUDE}
local requestHash = ARGV[15]
if requestHash ~= '' then
  local claimed = redis.call('GET', KEYS[14])
  if claimed then
    local space = string.find(claimed, ' ', 1, true)
    return { 'duplicate', string.sub(claimed, 1, space - 1), string.sub(claimed, space + 1) }
  end
end
if redis.call('EXISTS', runKey) == 1 then return { 'exists' } end

-- Runs past their retention have expired; their index entries go now, so the count below is exact.
local expired = redis.call('ZRANGEBYSCORE', finishedKey, '-inf', clockMs() - retention * 1000, 'LIMIT', 0, 500)
if #expired > 0 then
  redis.call('ZREM', finishedKey, unpack(expired))
  for i = 3, 8 do redis.call('ZREM', KEYS[i], unpack(expired)) end
end
local maxStored = limit('maxStoredRuns')
if redis.call('ZCARD', KEYS[3]) >= maxStored then return { 'storage_quota', maxStored } end

local queued = redis.call('ZCARD', KEYS[INDEX.queued])
local maxQueued = limit('maxQueuedRuns')
if queued >= maxQueued then return { 'queue_full', maxQueued } end

-- GCRA: a burst of runsPerMinute, then one every 60000 / runsPerMinute ms, on Redis's clock.
local nowMs = clockMs()
local interval = 60000 / limit('runsPerMinute')
local due = math.max(tonumber(redis.call('GET', KEYS[15]) or '0'), nowMs)
local waitMs = due - 60000 + interval - nowMs
if waitMs > 0 then return { 'rate_limited', math.ceil(waitMs) } end
redis.call('SET', KEYS[15], string.format('%.3f', due + interval), 'PX', math.ceil(due + interval - nowMs))

if requestHash ~= '' then redis.call('SET', KEYS[14], runId .. ' ' .. requestHash, 'EX', 86400) end
local order = redis.call('INCR', KEYS[9])
redis.call('HSET', runKey, 'id', runId, 'tenantId', tenantId, 'agent', ARGV[12], 'status', 'queued',
  'input', ARGV[13], 'attempts', 0, 'createdAt', now, 'seq', 0, 'order', order)
if ARGV[14] ~= '' then redis.call('HSET', runKey, 'metadata', ARGV[14]) end
-- Stored runs never exceed maxStoredRuns (at most 100,000), so the indexes need no trimming: every key
-- of a run is in the index of all runs until it expires, and its entry is swept when it has.
redis.call('ZADD', KEYS[3], order, runId)
redis.call('ZADD', KEYS[INDEX.queued], order, runId)
append('run.queued', '{}')

-- The queue priority: the tenant's backlog, never lower than its peak since it last had none queued,
-- so a tenant's runs keep their order and a small backlog is served before a large one.
local priority = queued + 1
if queued > 0 then priority = math.max(priority, tonumber(redis.call('GET', KEYS[16]) or '0')) end
redis.call('SET', KEYS[16], priority)
return { 'queued', priority }
`;

// A queued run whose tenant is at maxConcurrentRuns does not start: 'at_capacity', and nothing changes.
// A woken run takes the slot reserved for it.
const START = `${PRELUDE}
local settled = settle()
if settled then return settled end
local status = redis.call('HGET', runKey, 'status')
if status == 'queued' and redis.call('ZREM', wokenKey, runId) == 0 and atCapacity() then
  return { 'at_capacity' }
end
redis.call('ZREM', parkedKey, runId)
local attempt = redis.call('HINCRBY', runKey, 'attempts', 1)
redis.call('HSET', runKey, 'status', 'running')
redis.call('HSETNX', runKey, 'startedAt', now)
move(status, 'running')
append('run.started', cjson.encode({ attempt = attempt, recovered = status == 'running' }))
return { 'started', attempt }
`;

// Called once the job of an 'at_capacity' run is delayed: parks it to be woken when a slot frees, or
// answers 'free' when one freed meanwhile (the caller then wakes it itself), so no wake-up is lost.
const PARK = `${PRELUDE}
if redis.call('HGET', runKey, 'status') ~= 'queued' then return { 'gone' } end
-- Woken while it was being turned away: its slot is reserved, so it starts now.
if redis.call('ZSCORE', wokenKey, runId) then return { 'free' } end
if not atCapacity() then return { 'free' } end
redis.call('ZADD', parkedKey, redis.call('HGET', runKey, 'order'), runId)
return { 'parked' }
`;

// Back to the queue unfinished: ARGV[12] is the event (run.retrying or run.requeued), ARGV[13] its data.
// This and FINISH answer { outcome, parked run ids to wake into the slot they may have freed }.
const REQUEUE = `${PRELUDE}
local settled = settle()
if settled then return { settled[1], wake() } end
local status = redis.call('HGET', runKey, 'status')
redis.call('HSET', runKey, 'status', 'queued')
move(status, 'queued')
append(ARGV[12], ARGV[13])
return { 'queued', wake() }
`;

// ARGV[12] the outcome status, ARGV[13] and ARGV[14] its field and value, ARGV[15] the event's data.
const FINISH = `${PRELUDE}
local settled = settle()
if settled then return { settled[1], wake() } end
redis.call('HSET', runKey, ARGV[13], ARGV[14])
finish(ARGV[12], ARGV[15])
return { ARGV[12], wake() }
`;

// ARGV[12]: the cancel channel.
const CANCEL = `${PRELUDE}
local ended = guard()
if ended then return ended end
local status = redis.call('HGET', runKey, 'status')
if status == 'queued' then
  finish('cancelled', '{}')
  return { 'cancelled' }
end
if redis.call('HSETNX', runKey, 'cancelRequestedAt', now) == 1 then
  redis.call('PUBLISH', ARGV[12], cjson.encode({ tenantId = tenantId, runId = runId }))
end
return { 'cancelling' }
`;

// ARGV[12] the event type, ARGV[13] its data.
const APPEND = `${PRELUDE}
if redis.call('HGET', runKey, 'status') ~= 'running' then return 0 end
return append(ARGV[12], ARGV[13])
`;

// For a raised limit: KEYS running index, parked runs, woken runs, limits; ARGV[1] the default limit,
// ARGV[2] the tenant's share of the fleet (0: no cap).
const WAKE = `${WAKE_FUNCTION}
local maxConcurrent = tonumber(redis.call('HGET', KEYS[4], 'maxConcurrentRuns') or ARGV[1])
local share = tonumber(ARGV[2])
if share > 0 and share < maxConcurrent then maxConcurrent = share end
return wakeParked(KEYS[1], KEYS[2], KEYS[3], maxConcurrent)
`;

// An idempotency claim whose run has expired: KEYS[1] the claim, ARGV[1] the value it held. Deleted
// only if it still holds that value, so a claim made meanwhile by a concurrent submission stays.
const RELEASE_CLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export const RUN_SCRIPT_KEY_COUNT = 13;
const KEY_COUNT: Readonly<Partial<Record<RunScriptName, number>>> = {
  bulkheadSubmitRun: RUN_SCRIPT_KEY_COUNT + 3,
  bulkheadWakeParked: 4,
  bulkheadReleaseClaim: 1,
};

const SCRIPTS = Object.freeze({
  bulkheadSubmitRun: SUBMIT,
  bulkheadStartRun: START,
  bulkheadRequeueRun: REQUEUE,
  bulkheadFinishRun: FINISH,
  bulkheadCancelRun: CANCEL,
  bulkheadAppendEvent: APPEND,
  bulkheadParkRun: PARK,
  bulkheadWakeParked: WAKE,
  bulkheadReleaseClaim: RELEASE_CLAIM,
} as const);

export type RunScriptName = keyof typeof SCRIPTS;

/** Registers the scripts on a client; ioredis then calls them by SHA and reloads them after a flush. */
export function defineRunScripts(redis: Redis): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    const numberOfKeys = KEY_COUNT[name as RunScriptName] ?? RUN_SCRIPT_KEY_COUNT;
    redis.defineCommand(name, { numberOfKeys, lua });
  }
}

type ScriptArg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulkheadSubmitRun(...args: ScriptArg[]): Result<string[], Context>;
    bulkheadStartRun(...args: ScriptArg[]): Result<[string, number?], Context>;
    bulkheadRequeueRun(...args: ScriptArg[]): Result<[string, string[]], Context>;
    bulkheadFinishRun(...args: ScriptArg[]): Result<[string, string[]], Context>;
    bulkheadParkRun(...args: ScriptArg[]): Result<[string], Context>;
    bulkheadWakeParked(...args: ScriptArg[]): Result<string[], Context>;
    bulkheadCancelRun(...args: ScriptArg[]): Result<string[], Context>;
    bulkheadAppendEvent(...args: ScriptArg[]): Result<number, Context>;
    bulkheadReleaseClaim(...args: ScriptArg[]): Result<number, Context>;
  }
}
