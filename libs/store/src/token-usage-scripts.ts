import type { Redis, Result } from 'ioredis';
import { CLOCK } from './run-scripts/lua/clock.lua';

/**
 * Tokens used, on Redis's clock so every worker agrees on the day (UTC): a run's `usage` field (JSON:
 * totals and one entry per provider and model) and its tenant's tokens hash, whose fields are
 * `<day>:input`, `<day>:output` and `<day>:calls` with `<day>` counted in days since 1970-01-01.
 */
const HELPERS = `${CLOCK}
local today = math.floor(clockMs() / 86400000)
local function num(value) return tonumber(value) or 0 end
`;

const DAY_SECONDS = 86_400;

/**
 * bulkheadRecordTokens: one LLM call's tokens, on its run and on its tenant's day.
 *
 * KEYS[1]  the run's hash (left alone when the run is gone: no key is made without an expiry)
 * KEYS[2]  the tenant's tokens hash
 * ARGV[1]  the provider's name
 * ARGV[2]  the model
 * ARGV[3]  input tokens
 * ARGV[4]  output tokens
 * ARGV[5]  entries a run's usage keeps by provider and model; beyond, calls count under '(other)'
 * ARGV[6]  days the tenant's hash keeps, today included
 */
const RECORD = `${HELPERS}
local input, output = tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 1 then
  local ok, usage = pcall(cjson.decode, redis.call('HGET', KEYS[1], 'usage') or '')
  if not ok or type(usage) ~= 'table' or type(usage.byModel) ~= 'table' then
    usage = { inputTokens = 0, outputTokens = 0, calls = 0, byModel = {} }
  end
  local function entryOf(provider, model)
    for _, entry in ipairs(usage.byModel) do
      if entry.provider == provider and entry.model == model then return entry end
    end
    return nil
  end
  local provider, model = ARGV[1], ARGV[2]
  local entry = entryOf(provider, model)
  if entry == nil and #usage.byModel >= tonumber(ARGV[5]) - 1 then
    provider, model = '(other)', '(other)'
    entry = entryOf(provider, model)
  end
  if entry == nil then
    entry = { provider = provider, model = model, inputTokens = 0, outputTokens = 0, calls = 0 }
    table.insert(usage.byModel, entry)
  end
  entry.inputTokens = num(entry.inputTokens) + input
  entry.outputTokens = num(entry.outputTokens) + output
  entry.calls = num(entry.calls) + 1
  usage.inputTokens = num(usage.inputTokens) + input
  usage.outputTokens = num(usage.outputTokens) + output
  usage.calls = num(usage.calls) + 1
  redis.call('HSET', KEYS[1], 'usage', cjson.encode(usage))
end
local kept = tonumber(ARGV[6])
redis.call('HINCRBY', KEYS[2], today .. ':input', input)
redis.call('HINCRBY', KEYS[2], today .. ':output', output)
redis.call('HINCRBY', KEYS[2], today .. ':calls', 1)
if redis.call('HLEN', KEYS[2]) > 3 * kept then
  for _, field in ipairs(redis.call('HKEYS', KEYS[2])) do
    if num(string.match(field, '^(%d+):')) <= today - kept then redis.call('HDEL', KEYS[2], field) end
  end
end
redis.call('EXPIRE', KEYS[2], kept * ${DAY_SECONDS})
return 1
`;

/**
 * bulkheadTokenBudget: the tenant's tokens used today and its maxTokensPerDay, in one read.
 *
 * KEYS[1]  the tenant's limits hash
 * KEYS[2]  the tenant's tokens hash
 * ARGV[1]  the default maxTokensPerDay (0: none)
 * Returns  { today (days since 1970-01-01), tokens used today, the limit (0: none) }
 */
const BUDGET = `${HELPERS}
local limit = tonumber(redis.call('HGET', KEYS[1], 'maxTokensPerDay') or ARGV[1]) or 0
local used = redis.call('HMGET', KEYS[2], today .. ':input', today .. ':output')
return { today, num(used[1]) + num(used[2]), limit }
`;

type ScriptArg = string | number;

/** Registers the token usage scripts on a client; ioredis then calls them by SHA. */
export function defineTokenUsageScripts(redis: Redis): void {
  redis.defineCommand('bulkheadRecordTokens', { numberOfKeys: 2, lua: RECORD });
  redis.defineCommand('bulkheadTokenBudget', { numberOfKeys: 2, lua: BUDGET });
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    bulkheadRecordTokens(...args: ScriptArg[]): Result<number, Context>;
    bulkheadTokenBudget(...args: ScriptArg[]): Result<[number, number, number], Context>;
  }
}
