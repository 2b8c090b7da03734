import { LIFECYCLE, LIFECYCLE_KEY_COUNT, lifecycleArgv, lifecycleKeys } from './lifecycle';
import { RunScript, textAt } from './run-script';

/**
 * bulkheadCancelRun: a queued run ends cancelled at once and never starts; a running one gets
 * cancelRequestedAt (once) and its worker is told on the cancel channel, and it ends cancelled
 * whatever its agent does next.
 *
 * KEYS and ARGV: the lifecycle header (lua/run-header.lua.ts), then ARGV[9] the cancel channel.
 * Returns  {'cancelled'} | {'cancelling'} | {'finished', status} | {'missing'}
 */
const LUA = `${LIFECYCLE}
local ended = guard()
if ended then return ended end
local status = redis.call('HGET', runKey, 'status')
if status == 'queued' then
  finish('cancelled', '{}')
  return { 'cancelled' }
end
if redis.call('HSETNX', runKey, 'cancelRequestedAt', now) == 1 then
  redis.call('PUBLISH', ARGV[9], cjson.encode({ tenantId = tenantId, runId = runId }))
end
return { 'cancelling' }
`;

/** 'cancelling': the run is running and its worker has been told; 'cancelled': it never started. */
export type CancelOutcome = 'cancelled' | 'cancelling' | 'finished' | 'missing';

export const cancelRun: RunScript<{ readonly cancelChannel: string }, CancelOutcome> = {
  name: 'bulkheadCancelRun',
  lua: LUA,
  keyCount: LIFECYCLE_KEY_COUNT,
  keys: (k) => lifecycleKeys(k),
  argv: (c, args) => [...lifecycleArgv(c), args.cancelChannel],
  parse: (reply): CancelOutcome => {
    const outcome = textAt(reply, 0);
    return outcome === 'cancelled' || outcome === 'cancelling' || outcome === 'finished'
      ? outcome
      : 'missing';
  },
};
