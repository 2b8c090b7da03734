import { LIFECYCLE, LIFECYCLE_KEY_COUNT, lifecycleArgv, lifecycleKeys } from './lifecycle';
import { RunScript, textAt } from './run-script';

/**
 * bulkheadStartRun: a queued run (or a running one whose worker died: recovery) becomes running for
 * one more attempt, unless it ended, its accepted cancel ends it now, or its tenant is at capacity
 * (its maxConcurrentRuns, or its share of the fleet): then nothing changes. A woken run takes the
 * slot reserved for it.
 *
 * KEYS and ARGV: the lifecycle header (lua/run-header.lua.ts); no arguments of its own.
 * Returns  {'started', attempt, agent, input, ms since its first start (Redis's clock)} | {'at_capacity'}
 *          | {'cancelled'}
 *          | {'finished', status} | {'missing'}
 */
const LUA = `${LIFECYCLE}
local settled = settle()
if settled then return settled end
local status = redis.call('HGET', runKey, 'status')
if status == 'queued' and redis.call('ZREM', wokenKey, runId) == 0 and atCapacity() then
  return { 'at_capacity' }
end
redis.call('ZREM', parkedKey, runId)
local attempt = redis.call('HINCRBY', runKey, 'attempts', 1)
redis.call('HSET', runKey, 'status', 'running')
redis.call('HSETNX', runKey, 'startedAt', now)
redis.call('HSETNX', runKey, 'startedAtMs', clockMs())
move(status, 'running')
append('run.started', cjson.encode({ attempt = attempt, recovered = status == 'running' }))
local run = redis.call('HMGET', runKey, 'agent', 'input', 'startedAtMs')
local elapsed = clockMs() - tonumber(run[3])
return { 'started', attempt, run[1], run[2], elapsed }
`;

export type StartOutcome =
  | {
      readonly kind: 'started';
      readonly attempt: number;
      readonly agent: string;
      readonly inputJson: string;
      readonly elapsedMs: number;
    }
  | { readonly kind: 'at_capacity' | 'cancelled' | 'missing' }
  | { readonly kind: 'finished'; readonly status: string };

export const startRun: RunScript<void, StartOutcome> = {
  name: 'bulkheadStartRun',
  lua: LUA,
  keyCount: LIFECYCLE_KEY_COUNT,
  keys: (k) => lifecycleKeys(k),
  argv: (c) => lifecycleArgv(c),
  parse: (reply): StartOutcome => {
    const kind = textAt(reply, 0);
    if (kind === 'started') {
      return {
        kind,
        attempt: Number(textAt(reply, 1)),
        agent: textAt(reply, 2),
        inputJson: textAt(reply, 3),
        elapsedMs: Number(textAt(reply, 4)),
      };
    }
    if (kind === 'finished') {
      return { kind, status: textAt(reply, 1) };
    }
    if (kind === 'at_capacity' || kind === 'cancelled') {
      return { kind };
    }
    return { kind: 'missing' };
  },
};
