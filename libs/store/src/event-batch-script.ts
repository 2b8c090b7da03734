import type { Redis, Result } from 'ioredis';

/**
 * bulkheadReadEventBatch: a run's events after a cursor, up to a count and a byte budget, whichever
 * comes first, in one round trip.
 *
 * KEYS[1]  the run's event stream
 * ARGV[1]  the cursor: read entries with an id greater than `ARGV[1]-0`
 * ARGV[2]  at most this many entries
 * ARGV[3]  the byte budget: entries (their fields' bytes plus ARGV[4]) are taken while they fit; the
 *          first is taken whatever its size, so an event larger than any budget is still delivered
 * ARGV[4]  what each event weighs beyond its fields once sent (its JSON envelope and run id)
 * Returns  { more, entries }: `more` is 1 when a bound stopped the read (entries may remain), 0 when
 *          the stream has no more; `entries` as XRANGE answers them.
 *
 * The stream is read in chunks of CHUNK entries, so a batch of large events never sits in the script's
 * memory whole: what it holds is the budget plus one chunk.
 */
const READ_EVENT_BATCH = `
local CHUNK = 32
local cursor = '(' .. ARGV[1] .. '-0'
local left, budget, envelope = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local entries, bytes = {}, 0
while left > 0 do
  local wanted = math.min(left, CHUNK)
  local chunk = redis.call('XRANGE', KEYS[1], cursor, '+', 'COUNT', wanted)
  for _, entry in ipairs(chunk) do
    local size = envelope
    for _, field in ipairs(entry[2]) do size = size + #field end
    if #entries > 0 and bytes + size > budget then return { 1, entries } end
    entries[#entries + 1] = entry
    bytes = bytes + size
    left = left - 1
    cursor = '(' .. entry[1]
  end
  if #chunk < wanted then return { 0, entries } end
end
return { 1, entries }
`;

/** Registers the batch read on a client; ioredis then calls it by SHA. */
export function defineEventBatchScript(redis: Redis): void {
  redis.defineCommand('bulkheadReadEventBatch', { numberOfKeys: 1, lua: READ_EVENT_BATCH });
}

export type StreamEntry = [id: string, fields: string[]];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulkheadReadEventBatch(
      key: string,
      after: number,
      maxEvents: number,
      maxBytes: number,
      envelopeBytes: number,
    ): Result<[number, StreamEntry[]], Context>;
  }
}
