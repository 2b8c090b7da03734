/**
 * A tenant's limits: its own where set in its limits hash, the configured default otherwise; and
 * its concurrency, never more than its share of the live fleet's slots. Needs the locals limitsKey,
 * defaults (a table by limit name) and fleetShare (0: no share applies).
 */
export const TENANT_LIMITS = `
local function limit(name)
  return tonumber(redis.call('HGET', limitsKey, name) or defaults[name])
end

local function maxConcurrent()
  local own = limit('maxConcurrentRuns')
  if fleetShare > 0 and fleetShare < own then return fleetShare end
  return own
end
`;
