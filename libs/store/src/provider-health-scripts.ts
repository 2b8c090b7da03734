import type { Redis, Result } from 'ioredis';
import { CLOCK } from './run-scripts/lua/clock.lua';

/**
 * A tenant's provider's health, one hash per (tenant, provider), on Redis's clock so every worker
 * agrees: `failures` in the window starting at `windowStart`, `openUntil` (the breaker), `trialUntil`
 * (the one trial call of a half-open breaker), `coolUntil` (a rate limit's Retry-After) and
 * `disabledFor` (the provider's updatedAt whose credentials were refused). Each key lives a day past
 * its last write at most.
 */
const HELPERS = `${CLOCK}
local now = clockMs()
local function num(value) return tonumber(value) or 0 end
`;

const DAY_MS = 86400000;

/**
 * bulkheadAdmitProvider: may a call use this provider now?
 *
 * KEYS[1]  the provider's health hash
 * ARGV[1]  the provider's updatedAt (credentials refused for this version disable it)
 * ARGV[2]  how long a half-open breaker's trial call may take (ms)
 * Returns  'ok', 'trial' (the half-open breaker's one trial: report its outcome), or why not:
 *          'disabled', 'rate_limited', 'open'
 */
const ADMIT = `${HELPERS}
local h = redis.call('HMGET', KEYS[1], 'disabledFor', 'coolUntil', 'openUntil', 'trialUntil')
if h[1] == ARGV[1] then return 'disabled' end
if num(h[2]) > now then return 'rate_limited' end
local openUntil = num(h[3])
if openUntil == 0 then return 'ok' end
if openUntil > now or num(h[4]) > now then return 'open' end
redis.call('HSET', KEYS[1], 'trialUntil', now + tonumber(ARGV[2]))
return 'trial'
`;

/**
 * bulkheadRecordProvider: what a call to the provider came to.
 *
 * KEYS[1]  the provider's health hash
 * ARGV[1]  'success', 'failure', 'rate_limited' or 'unauthorized'
 * ARGV[2]  for a failure: failures in the window that open the breaker; for a rate limit: the
 *          cool-down (ms); for unauthorized: the provider's updatedAt
 * ARGV[3]  for a failure: the window (ms)
 * ARGV[4]  for a failure: how long the breaker stays open (ms)
 * Returns  1 when this failure opened the breaker, else 0
 */
const RECORD = `${HELPERS}
local outcome = ARGV[1]
if outcome == 'success' then
  redis.call('DEL', KEYS[1])
  return 0
end
if outcome == 'rate_limited' then
  redis.call('HSET', KEYS[1], 'coolUntil', now + tonumber(ARGV[2]))
elseif outcome == 'unauthorized' then
  redis.call('HSET', KEYS[1], 'disabledFor', ARGV[2])
else
  local h = redis.call('HMGET', KEYS[1], 'openUntil', 'failures', 'windowStart')
  local opened = 0
  if num(h[1]) > 0 then
    -- A half-open trial (or a call let through before the breaker opened) failed: open again.
    redis.call('HSET', KEYS[1], 'openUntil', now + tonumber(ARGV[4]), 'trialUntil', 0, 'failures', 0)
  else
    local failures = num(h[2]) + 1
    if num(h[3]) < now - tonumber(ARGV[3]) then failures = 1 end
    if failures == 1 then redis.call('HSET', KEYS[1], 'windowStart', now) end
    if failures >= tonumber(ARGV[2]) then
      redis.call('HSET', KEYS[1], 'openUntil', now + tonumber(ARGV[4]), 'failures', 0)
      opened = 1
    else
      redis.call('HSET', KEYS[1], 'failures', failures)
    end
  end
  redis.call('PEXPIRE', KEYS[1], ${DAY_MS})
  return opened
end
redis.call('PEXPIRE', KEYS[1], ${DAY_MS})
return 0
`;

type ScriptArg = string | number;

/** Registers the provider health scripts on a client; ioredis then calls them by SHA. */
export function defineProviderHealthScripts(redis: Redis): void {
  redis.defineCommand('bulkheadAdmitProvider', { numberOfKeys: 1, lua: ADMIT });
  redis.defineCommand('bulkheadRecordProvider', { numberOfKeys: 1, lua: RECORD });
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulkheadAdmitProvider(...args: ScriptArg[]): Result<string, Context>;
    bulkheadRecordProvider(...args: ScriptArg[]): Result<number, Context>;
  }
}
