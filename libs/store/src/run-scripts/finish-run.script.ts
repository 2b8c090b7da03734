import {
  LIFECYCLE,
  LIFECYCLE_KEY_COUNT,
  Transition,
  lifecycleArgv,
  lifecycleKeys,
  transitionOf,
} from './lifecycle';
import { RunScript } from './run-script';

/**
 * bulkheadFinishRun: records an attempt's outcome and ends the run with exactly one terminal event;
 * a run that already ended stays as it was, and one whose cancel was accepted ends cancelled
 * whatever the attempt returned. The parked runs its slot wakes are returned for the caller.
 *
 * KEYS and ARGV: the lifecycle header (lua/run-header.lua.ts), then
 * ARGV[9]  the status (succeeded or failed)   ARGV[10] the field (output or error)
 * ARGV[11] its value (JSON)                   ARGV[12] the terminal event's data (JSON)
 * Returns  {status | 'cancelled' | 'finished' | 'missing', woken run ids}
 */
const LUA = `${LIFECYCLE}
local settled = settle()
if settled then return { settled[1], wake() } end
redis.call('HSET', runKey, ARGV[10], ARGV[11])
finish(ARGV[9], ARGV[12])
return { ARGV[9], wake() }
`;

export interface FinishArgs {
  readonly status: 'succeeded' | 'failed';
  readonly field: 'output' | 'error';
  readonly valueJson: string;
  readonly eventJson: string;
}

export const finishRun: RunScript<FinishArgs, Transition> = {
  name: 'bulkheadFinishRun',
  lua: LUA,
  keyCount: LIFECYCLE_KEY_COUNT,
  keys: (k) => lifecycleKeys(k),
  argv: (c, args) => [...lifecycleArgv(c), args.status, args.field, args.valueJson, args.eventJson],
  parse: transitionOf,
};
