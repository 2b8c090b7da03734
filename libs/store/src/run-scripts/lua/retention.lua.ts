/**
 * The retention sweep: runs past RUN_RETENTION_SECONDS have expired with their keys; their entries
 * leave the tenant's indexes here, at most 500 per call, so the indexes count only runs that exist.
 * Needs the locals finishedKey, retention, index (every status) and allKey, and clockMs.
 */
export const RETENTION = `
local function sweepExpired()
  local expired = redis.call('ZRANGEBYSCORE', finishedKey, '-inf', clockMs() - retention * 1000, 'LIMIT', 0, 500)
  if #expired == 0 then return end
  redis.call('ZREM', finishedKey, unpack(expired))
  redis.call('ZREM', allKey, unpack(expired))
  for _, key in pairs(index) do redis.call('ZREM', key, unpack(expired)) end
end
`;
