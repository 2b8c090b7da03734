/**
 * Idempotency: a tenant's Idempotency-Key is claimed, for 24 h, by the submission that created a
 * run; the claim holds that run's id and the request's hash. A replay is answered from the claim
 * before any limit, so it creates nothing and spends nothing. Needs the locals claimKey, requestHash
 * ('' when the request has no key) and runId.
 */
export const IDEMPOTENCY = `
local function claimed()
  if requestHash == '' then return nil end
  local claim = redis.call('GET', claimKey)
  if not claim then return nil end
  local space = string.find(claim, ' ', 1, true)
  return { 'duplicate', string.sub(claim, 1, space - 1), string.sub(claim, space + 1) }
end

local function claim()
  if requestHash ~= '' then redis.call('SET', claimKey, runId .. ' ' .. requestHash, 'EX', 86400) end
end
`;
