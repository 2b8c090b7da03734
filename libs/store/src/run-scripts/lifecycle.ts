import { CLOCK } from './lua/clock.lua';
import { PARKING } from './lua/parking.lua';
import { RUN_ENDING } from './lua/run-ending.lua';
import { RUN_HEADER } from './lua/run-header.lua';
import { TENANT_LIMITS } from './lua/tenant-limits.lua';
import { RunKeys, RunScriptContext, ScriptArg, eventArgv, listAt, textAt } from './run-script';

/**
 * What the lifecycle scripts share: their header (KEYS[1..11], ARGV[1..8], see run-header.lua.ts),
 * the includes they all use, and the wrappers' halves that build those keys and arguments.
 */
export const LIFECYCLE_KEY_COUNT = 11;

export const LIFECYCLE = `${RUN_HEADER}${CLOCK}${TENANT_LIMITS}${PARKING}${RUN_ENDING}
local function atCapacity()
  return occupied(index.running, wokenKey) >= maxConcurrent()
end

local function wake()
  return wakeParked(index.running, parkedKey, wokenKey, maxConcurrent())
end
`;

export function lifecycleKeys(k: RunKeys): string[] {
  return [
    k.run,
    k.events,
    k.queued,
    k.running,
    k.succeeded,
    k.failed,
    k.cancelled,
    k.parked,
    k.woken,
    k.limits,
    k.finished,
  ];
}

export function lifecycleArgv(c: RunScriptContext): ScriptArg[] {
  return [...eventArgv(c), c.retentionSeconds, c.defaults.maxConcurrentRuns, c.fleetShare];
}

/**
 * What a transition that may free a running slot became ('queued', a status, 'finished', 'missing'),
 * and the tenant's parked runs it woke into free slots: the caller promotes their jobs.
 */
export interface Transition {
  readonly outcome: string;
  readonly woken: string[];
}

export function transitionOf(reply: unknown): Transition {
  return { outcome: textAt(reply, 0) || 'missing', woken: listAt(reply, 1) };
}
