import { RUN_EVENTS } from './run-events.lua';
import { RUN_INDEXES } from './run-indexes.lua';

/**
 * Ending a run, exactly once: finish() writes the terminal status, leaves the parked and woken sets,
 * moves the run to its terminal index, records when it finished (for the retention sweep), appends
 * the terminal event and sets the retention on its keys. guard() answers for a run that is missing or
 * already ended; settle() also ends a run whose accepted cancel has not taken effect yet. Needs the
 * locals of RUN_EVENTS and RUN_INDEXES, and parkedKey, wokenKey, finishedKey, retention and clockMs.
 */
export const RUN_ENDING = `${RUN_EVENTS}${RUN_INDEXES}
local TERMINAL = { succeeded = true, failed = true, cancelled = true }

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
