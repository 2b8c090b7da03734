import type { Redis, Result } from 'ioredis';
import { CLOCK } from './run-scripts/lua/clock.lua';

/**
 * A thread's lane: the one run it is executing (`active` in the thread's hash, with when it was
 * claimed and its job) and the runs waiting behind it (a list, with their jobs in a hash). Every
 * script below reads the status of the runs it names from their records, whose keys are the
 * tenant's run key prefix followed by the id, all in the tenant's slot. A run claimed but not
 * recorded yet counts as busy for GRACE: its API process is still writing it.
 *
 * Helpers need the locals thread, waiting, jobs, prefix and grace.
 */
const LANE = `${CLOCK}
local function statusOf(id) return redis.call('HGET', prefix .. id, 'status') end

local function activeRun()
  local f = redis.call('HMGET', thread, 'active', 'activeMs')
  if not f[1] then return nil end
  local status = statusOf(f[1])
  if status == 'queued' or status == 'running' then return f[1], status, tonumber(f[2]) end
  if not status and clockMs() - tonumber(f[2] or '0') < grace then return f[1], 'claimed', tonumber(f[2]) end
  return nil
end

local function becomeActive(id, job)
  local old = redis.call('HGET', thread, 'active')
  if old and statusOf(old) == 'succeeded' then redis.call('HSET', thread, 'valuesRun', old) end
  local now = clockMs()
  redis.call('HSET', thread, 'active', id, 'activeMs', now, 'activeJob', job, 'updatedMs', now)
end
`;

/**
 * bulkheadClaimThreadRun: a new run's place on its thread, decided in one step so racing runs of
 * one thread cannot both start. Free thread: the run becomes active ('start', the caller enqueues
 * it). Busy thread (a run pending or running, or runs waiting): reject → 'busy'; enqueue → it
 * waits at the back ('wait'; 'full' past the bound); interrupt or rollback → it waits alone and
 * the caller cancels the ids returned ('preempt'), which are marked preempted in the jobs hash (at
 * most the waiting bound plus one marks, cleared by the next preemption); rollback also takes them
 * off the thread.
 *
 * KEYS[1] thread hash  KEYS[2] thread's runs  KEYS[3] waiting list  KEYS[4] waiting jobs
 * KEYS[5] the run's LangGraph record
 * ARGV[1] run id  ARGV[2] strategy  ARGV[3] job (JSON)  ARGV[4] run key prefix  ARGV[5] grace ms
 * ARGV[6] waiting runs a thread may hold  ARGV[7] runs a thread lists  ARGV[8] record (JSON)
 * ARGV[9] its retention (s)
 * Returns {'missing'} | {'busy'} | {'full'} | {'start'} | {'wait'} | {'preempt', id…}
 */
const CLAIM = `
local thread, waiting, jobs, prefix, grace = KEYS[1], KEYS[3], KEYS[4], ARGV[4], tonumber(ARGV[5])
${LANE}
if redis.call('EXISTS', thread) == 0 then return { 'missing' } end
local runId, strategy, job = ARGV[1], ARGV[2], ARGV[3]
local function record()
  redis.call('ZADD', KEYS[2], redis.call('HINCRBY', thread, 'runSeq', 1), runId)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[7]) + 1))
  redis.call('SET', KEYS[5], ARGV[8], 'EX', tonumber(ARGV[9]))
  redis.call('HSET', thread, 'updatedMs', clockMs())
end
local function wait()
  redis.call('RPUSH', waiting, runId)
  redis.call('HSET', jobs, runId, job, runId .. ':ms', clockMs())
end
local active = activeRun()
local queued = redis.call('LLEN', waiting)
if not active and queued == 0 then
  becomeActive(runId, job)
  record()
  return { 'start' }
end
if strategy == 'reject' then return { 'busy' } end
if strategy == 'enqueue' then
  if queued >= tonumber(ARGV[6]) then return { 'full' } end
  wait()
  record()
  return { 'wait' }
end
local preempted = redis.call('LRANGE', waiting, 0, -1)
if active then table.insert(preempted, 1, active) end
redis.call('DEL', waiting, jobs)
-- A preempted run its API is still recording learns here that it must not start (ThreadLanes.holds).
for _, id in ipairs(preempted) do redis.call('HSET', jobs, id .. ':preempted', 1) end
if strategy == 'rollback' then
  for _, id in ipairs(preempted) do redis.call('ZREM', KEYS[2], id) end
end
wait()
record()
local answer = { 'preempt' }
for _, id in ipairs(preempted) do answer[#answer + 1] = id end
return answer
`;

/**
 * bulkheadAdvanceThread: once the active run has ended, the first waiting run still queued becomes
 * active and is returned with its job for the caller to enqueue; waiting runs that ended meanwhile
 * (cancelled) are dropped, one claimed moments ago and not recorded yet stops the walk. An active
 * run still queued long after it was made active is returned too: its enqueue may have been lost,
 * and enqueuing a run again is harmless (its job id is its run id). A run returned is enqueued at
 * its tenant's queue priority now (the backlog peak, see priority.lua.ts), so runs that waited on
 * threads keep the fair order between tenants.
 *
 * KEYS[1] thread hash  KEYS[2] waiting list  KEYS[3] waiting jobs  KEYS[4] the tenant's backlog peak
 * ARGV[1] run key prefix  ARGV[2] grace ms  ARGV[3] ms after which a queued active run is re-enqueued
 * Returns {'gone'} | {'busy', waiting} | {'busy', waiting, id, job, priority} | {'idle', 0}
 *   | {'start', waiting, id, job, priority}
 */
const ADVANCE = `
local thread, waiting, jobs, prefix, grace = KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[2])
${LANE}
local function priority() return math.max(1, tonumber(redis.call('GET', KEYS[4]) or '1')) end
if redis.call('EXISTS', thread) == 0 then
  redis.call('DEL', waiting, jobs)
  return { 'gone' }
end
local active, status, since = activeRun()
if active then
  local queued = redis.call('LLEN', waiting)
  if status == 'queued' and clockMs() - since >= tonumber(ARGV[3]) then
    return { 'busy', queued, active, redis.call('HGET', thread, 'activeJob'), priority() }
  end
  return { 'busy', queued }
end
while true do
  local id = redis.call('LPOP', waiting)
  if not id then return { 'idle', 0 } end
  local job = redis.call('HGET', jobs, id)
  local status = statusOf(id)
  if not status and clockMs() - tonumber(redis.call('HGET', jobs, id .. ':ms') or '0') < grace then
    redis.call('LPUSH', waiting, id)
    return { 'busy', redis.call('LLEN', waiting) }
  end
  redis.call('HDEL', jobs, id, id .. ':ms')
  if status == 'queued' and job then
    becomeActive(id, job)
    return { 'start', redis.call('LLEN', waiting), id, job, priority() }
  end
end
`;

/**
 * bulkheadReleaseThreadRun: takes back a claim whose run could not be recorded (its input or the
 * tenant's limits refused it), so the thread is free again at once.
 *
 * KEYS[1] thread hash  KEYS[2] thread's runs  KEYS[3] waiting list  KEYS[4] waiting jobs
 * KEYS[5] the run's LangGraph record
 * ARGV[1] run id
 */
const RELEASE = `
local runId = ARGV[1]
if redis.call('HGET', KEYS[1], 'active') == runId then redis.call('HDEL', KEYS[1], 'active', 'activeMs', 'activeJob') end
redis.call('ZREM', KEYS[2], runId)
redis.call('LREM', KEYS[3], 0, runId)
redis.call('HDEL', KEYS[4], runId, runId .. ':ms')
redis.call('DEL', KEYS[5])
return 1
`;

type ScriptArg = string | number;

export type ClaimReply = ['missing' | 'busy' | 'full' | 'start' | 'wait' | 'preempt', ...string[]];
export type AdvanceReply = [string, number, string?, string?, number?];

/** Registers the lane scripts on a client; ioredis then calls them by SHA. */
export function defineThreadLaneScripts(redis: Redis): void {
  redis.defineCommand('bulkheadClaimThreadRun', { numberOfKeys: 5, lua: CLAIM });
  redis.defineCommand('bulkheadAdvanceThread', { numberOfKeys: 4, lua: ADVANCE });
  redis.defineCommand('bulkheadReleaseThreadRun', { numberOfKeys: 5, lua: RELEASE });
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulkheadClaimThreadRun(...args: ScriptArg[]): Result<ClaimReply, Context>;
    bulkheadAdvanceThread(...args: ScriptArg[]): Result<AdvanceReply, Context>;
    bulkheadReleaseThreadRun(...args: ScriptArg[]): Result<number, Context>;
  }
}
