/**
 * Fair order: a job's queue priority (lower runs first) is its tenant's backlog including it, but
 * never lower than the largest backlog since the tenant last had nothing queued, so a tenant's own
 * runs keep their order and a small backlog is served before a large one. Needs the local peakKey;
 * call it with the queued count before the new run was added.
 */
export const PRIORITY = `
local function priorityOf(queuedBefore)
  local priority = queuedBefore + 1
  if queuedBefore > 0 then priority = math.max(priority, tonumber(redis.call('GET', peakKey) or '0')) end
  redis.call('SET', peakKey, priority)
  return priority
end
`;
