import { LIFECYCLE, LIFECYCLE_KEY_COUNT, lifecycleArgv, lifecycleKeys } from './lifecycle';
import { RunScript, textAt } from './run-script';

/**
 * bulkheadParkRun: called once the job of an 'at_capacity' run is delayed, it parks the run to be
 * woken when a slot frees, or answers 'free' when one freed meanwhile (or the run was woken while
 * it was being turned away: its slot is reserved), so the caller wakes it itself and no wake-up is
 * lost. 'gone' when the run is no longer queued.
 *
 * KEYS and ARGV: the lifecycle header (lua/run-header.lua.ts); no arguments of its own.
 */
const LUA = `${LIFECYCLE}
if redis.call('HGET', runKey, 'status') ~= 'queued' then return { 'gone' } end
if redis.call('ZSCORE', wokenKey, runId) then return { 'free' } end
if not atCapacity() then return { 'free' } end
redis.call('ZADD', parkedKey, redis.call('HGET', runKey, 'order'), runId)
return { 'parked' }
`;

/** 'parked' until a slot frees; 'free' when one freed meanwhile; 'gone' when no longer queued. */
export type ParkOutcome = 'parked' | 'free' | 'gone';

export const parkRun: RunScript<void, ParkOutcome> = {
  name: 'bulkheadParkRun',
  lua: LUA,
  keyCount: LIFECYCLE_KEY_COUNT,
  keys: (k) => lifecycleKeys(k),
  argv: (c) => lifecycleArgv(c),
  parse: (reply): ParkOutcome => {
    const outcome = textAt(reply, 0);
    return outcome === 'parked' || outcome === 'free' ? outcome : 'gone';
  },
};
