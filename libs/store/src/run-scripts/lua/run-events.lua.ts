/**
 * Appending a run's event: the next id (1, 2, 3 … kept in the run hash), the stream entry, and the
 * notification that the stream grew. Needs the locals runKey, streamKey, maxlen, now, channel,
 * tenantId and runId.
 */
export const RUN_EVENTS = `
local function append(etype, data)
  local seq = redis.call('HINCRBY', runKey, 'seq', 1)
  redis.call('XADD', streamKey, 'MAXLEN', '~', maxlen, seq .. '-0', 'type', etype, 'data', data, 'ts', now)
  redis.call('PUBLISH', channel, cjson.encode({ tenantId = tenantId, runId = runId, id = seq }))
  return seq
end
`;
