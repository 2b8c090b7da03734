/** Milliseconds on Redis's own clock, so every process agrees on time. Needs nothing. */
export const CLOCK = `
local function clockMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
`;
