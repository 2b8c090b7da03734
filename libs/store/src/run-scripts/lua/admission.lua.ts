/**
 * Admission: what a submission must pass, in this order: the tenant's storage quota (runs it keeps,
 * maxStoredRuns), its queue (runs queued, maxQueuedRuns) and its rate (runsPerMinute, GCRA on
 * Redis's clock: a burst of runsPerMinute, then one every 60000 / runsPerMinute ms). admit(queued),
 * given the tenant's queued count, answers nil when the run may be created, having spent its rate;
 * or the refusal. Needs the locals allKey and rateKey, limit() (TENANT_LIMITS) and clockMs.
 */
export const ADMISSION = `
local function admit(queued)
  local maxStored = limit('maxStoredRuns')
  if redis.call('ZCARD', allKey) >= maxStored then return { 'storage_quota', maxStored } end
  local maxQueued = limit('maxQueuedRuns')
  if queued >= maxQueued then return { 'queue_full', maxQueued } end
  local nowMs = clockMs()
  local interval = 60000 / limit('runsPerMinute')
  local due = math.max(tonumber(redis.call('GET', rateKey) or '0'), nowMs)
  local waitMs = due - 60000 + interval - nowMs
  if waitMs > 0 then return { 'rate_limited', math.ceil(waitMs) } end
  redis.call('SET', rateKey, string.format('%.3f', due + interval), 'PX', math.ceil(due + interval - nowMs))
  return nil
end
`;
