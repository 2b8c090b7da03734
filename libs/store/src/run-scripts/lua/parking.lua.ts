/**
 * Parking and waking: the slots a tenant has taken are its running runs plus the woken runs that
 * hold a slot until they start. A woken run that has not started within 10 s (its job's promotion
 * was lost) gives its slot back; it starts at its recheck. Waking pops as many parked runs as there
 * are free slots, at most 100, and reserves the slots for them; the caller promotes their jobs.
 * Needs clockMs (CLOCK).
 */
export const PARKING = `
local function occupied(runningKey, wokenKey)
  redis.call('ZREMRANGEBYSCORE', wokenKey, '-inf', clockMs() - 10000)
  return redis.call('ZCARD', runningKey) + redis.call('ZCARD', wokenKey)
end

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
