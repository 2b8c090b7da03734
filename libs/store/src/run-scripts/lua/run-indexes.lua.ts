/**
 * Moving a run between the tenant's status indexes (sorted sets scored by submission order): the
 * indexes are its live usage, so they move in the same step as the status. Needs the locals runKey,
 * runId and index (a table from each status the script may see to its index key).
 */
export const RUN_INDEXES = `
local function move(from, to)
  redis.call('ZREM', index[from], runId)
  redis.call('ZADD', index[to], redis.call('HGET', runKey, 'order'), runId)
end
`;
