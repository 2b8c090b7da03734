import type { Redis, Result } from 'ioredis';

/**
 * The seat scripts keep, per tenant, two sorted sets of live socket ids scored by each socket's last
 * heartbeat (Redis's own clock, in ms, so every API process agrees): one of the whole tenant and one
 * per API key. A member whose heartbeat is older than the stale age belongs to a process that died
 * without releasing it; it is dropped before anything is counted. Both keys are the tenant's, so each
 * script touches one cluster slot.
 */
const CLOCK = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * bulkheadTakeSocketSeat: takes a seat for a socket under both caps, atomically.
 *
 * KEYS[1]  the tenant's live sockets
 * KEYS[2]  the API key's live sockets
 * ARGV[1]  the socket id
 * ARGV[2]  the key's cap (SOCKET_MAX_PER_KEY)
 * ARGV[3]  the tenant's cap (SOCKET_MAX_PER_TENANT)
 * ARGV[4]  the stale age (ms): heartbeats older than this are dropped; also both keys' time to live
 * Returns  0 when the seat was taken, 1 when the key is at its cap, 2 when the tenant is.
 */
const TAKE = `${CLOCK}
local staleBefore = now - tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. staleBefore)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. staleBefore)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 2 end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 0
`;

/**
 * bulkheadRenewSocketSeats: renews the heartbeat of live sockets of one API key.
 *
 * KEYS[1]  the tenant's live sockets
 * KEYS[2]  the API key's live sockets
 * ARGV[1]  the stale age (ms), as the keys' new time to live
 * ARGV[2…] the socket ids
 * Returns  how many seats were renewed. Only seats still held are (ZADD XX): one released or dropped
 *          meanwhile stays gone, so a renewal racing a disconnect cannot bring a seat back.
 */
const RENEW = `${CLOCK}
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[2], 'XX', 'CH', now, ARGV[i])
  redis.call('ZADD', KEYS[1], 'XX', now, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return renewed
`;

type ScriptArg = string | number;

/** Registers the seat scripts on a client; ioredis then calls them by SHA. */
export function defineSocketSeatScripts(redis: Redis): void {
  redis.defineCommand('bulkheadTakeSocketSeat', { numberOfKeys: 2, lua: TAKE });
  redis.defineCommand('bulkheadRenewSocketSeats', { numberOfKeys: 2, lua: RENEW });
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulkheadTakeSocketSeat(...args: ScriptArg[]): Result<number, Context>;
    bulkheadRenewSocketSeats(...args: ScriptArg[]): Result<number, Context>;
  }
}
