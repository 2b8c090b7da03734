import { RUN_EVENTS } from './lua/run-events.lua';
import { RunScript, eventArgv } from './run-script';

/**
 * bulkheadAppendEvent: an agent's event, appended only while its run is running, so nothing is
 * added after the terminal event.
 *
 * KEYS[1]  run      the run's hash
 * KEYS[2]  events   its event stream
 * ARGV[1]  tenantId   ARGV[2] runId   ARGV[3] now (ISO)   ARGV[4] max stream length
 * ARGV[5]  events channel             ARGV[6] the event type   ARGV[7] its data (JSON)
 * Returns  the event's id, or 0 when the run is not running
 */
const LUA = `
local runKey, streamKey = KEYS[1], KEYS[2]
local tenantId, runId, now, maxlen, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
${RUN_EVENTS}
if redis.call('HGET', runKey, 'status') ~= 'running' then return 0 end
return append(ARGV[6], ARGV[7])
`;

export interface AppendArgs {
  readonly type: string;
  readonly dataJson: string;
}

export const appendEvent: RunScript<AppendArgs, number | undefined> = {
  name: 'bulkheadAppendEvent',
  lua: LUA,
  keyCount: 2,
  keys: (k) => [k.run, k.events],
  argv: (c, args) => [...eventArgv(c), args.type, args.dataJson],
  parse: (reply) => (typeof reply === 'number' && reply > 0 ? reply : undefined),
};
