import { CLOCK } from './lua/clock.lua';
import { PARKING } from './lua/parking.lua';
import { TENANT_LIMITS } from './lua/tenant-limits.lua';
import { RunScript, listAt } from './run-script';

/**
 * bulkheadWakeParked: after a tenant's limits changed, wakes as many of its parked runs as now have
 * a free slot (at most 100; the rest as runs end). The caller promotes their jobs.
 *
 * KEYS[1]  running   the tenant's index of running runs
 * KEYS[2]  parked    its parked runs
 * KEYS[3]  woken     its woken runs
 * KEYS[4]  limits    its own limits
 * ARGV[1]  the default maxConcurrentRuns   ARGV[2] the tenant's share of the fleet (0: none)
 * Returns  the woken run ids
 */
const LUA = `
local runningKey, parkedKey, wokenKey, limitsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local defaults = { maxConcurrentRuns = ARGV[1] }
local fleetShare = tonumber(ARGV[2])
${CLOCK}${TENANT_LIMITS}${PARKING}
return wakeParked(runningKey, parkedKey, wokenKey, maxConcurrent())
`;

export const wakeParked: RunScript<void, string[]> = {
  name: 'bulkheadWakeParked',
  lua: LUA,
  keyCount: 4,
  keys: (k) => [k.running, k.parked, k.woken, k.limits],
  argv: (c) => [c.defaults.maxConcurrentRuns, c.fleetShare],
  parse: (reply) => (Array.isArray(reply) ? listAt([reply], 0) : []),
};
