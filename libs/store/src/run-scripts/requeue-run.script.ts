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
 * bulkheadRequeueRun: a running run goes back to the queue unfinished, after a failed attempt that
 * will be retried (run.retrying) or because its worker is stopping (run.requeued); or, if it ended
 * or its cancel was accepted meanwhile, it ends as that. Either way the slot it held may be free:
 * the parked runs it wakes are returned for the caller to promote.
 *
 * KEYS and ARGV: the lifecycle header (lua/run-header.lua.ts), then
 * ARGV[9]  the event type (run.retrying or run.requeued)   ARGV[10] its data (JSON)
 * Returns  {'queued' | 'cancelled' | 'finished' | 'missing', woken run ids}
 */
const LUA = `${LIFECYCLE}
local settled = settle()
if settled then return { settled[1], wake() } end
local status = redis.call('HGET', runKey, 'status')
redis.call('HSET', runKey, 'status', 'queued')
move(status, 'queued')
append(ARGV[9], ARGV[10])
return { 'queued', wake() }
`;

export interface RequeueArgs {
  readonly event: 'run.retrying' | 'run.requeued';
  readonly dataJson: string;
}

export const requeueRun: RunScript<RequeueArgs, Transition> = {
  name: 'bulkheadRequeueRun',
  lua: LUA,
  keyCount: LIFECYCLE_KEY_COUNT,
  keys: (k) => lifecycleKeys(k),
  argv: (c, args) => [...lifecycleArgv(c), args.event, args.dataJson],
  parse: transitionOf,
};
