/**
 * The locals every lifecycle script (start, park, requeue, finish, cancel) declares, from the same
 * KEYS and ARGV positions, so RUN_ENDING, PARKING and TENANT_LIMITS read the same names in each:
 *
 * KEYS[1]  run        the run's hash
 * KEYS[2]  events     its event stream
 * KEYS[3..7]          the tenant's index of queued, running, succeeded, failed, cancelled runs
 * KEYS[8]  parked     its runs waiting for a free slot (by submission order)
 * KEYS[9]  woken      its parked runs woken into a slot they hold until they start (by wake time)
 * KEYS[10] limits     its own limits
 * KEYS[11] finished   its terminal runs by finish time (the retention sweep)
 * ARGV[1]  tenantId   ARGV[2] runId   ARGV[3] now (ISO)   ARGV[4] max stream length
 * ARGV[5]  events channel             ARGV[6] retention seconds
 * ARGV[7]  default maxConcurrentRuns  ARGV[8] the tenant's share of the fleet (0: none)
 * ARGV[9…] the script's own arguments
 */
export const RUN_HEADER = `
local runKey, streamKey = KEYS[1], KEYS[2]
local index = { queued = KEYS[3], running = KEYS[4], succeeded = KEYS[5], failed = KEYS[6], cancelled = KEYS[7] }
local parkedKey, wokenKey, limitsKey, finishedKey = KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local tenantId, runId, now, maxlen, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local retention = tonumber(ARGV[6])
local defaults = { maxConcurrentRuns = ARGV[7] }
local fleetShare = tonumber(ARGV[8])
`;
