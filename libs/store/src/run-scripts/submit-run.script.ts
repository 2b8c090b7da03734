import { ADMISSION } from './lua/admission.lua';
import { CLOCK } from './lua/clock.lua';
import { IDEMPOTENCY } from './lua/idempotency.lua';
import { PRIORITY } from './lua/priority.lua';
import { RETENTION } from './lua/retention.lua';
import { RUN_EVENTS } from './lua/run-events.lua';
import { TENANT_LIMITS } from './lua/tenant-limits.lua';
import { RunScript, eventArgv, listAt, textAt } from './run-script';

/**
 * bulkheadSubmitRun: records a new run, queued, with its run.queued event, if the tenant's limits
 * admit it; a replay of an idempotent submission is answered first and creates nothing.
 *
 * KEYS[1]  run        the run's hash (must not exist)
 * KEYS[2]  events     its event stream
 * KEYS[3]  all        the tenant's index of every run it keeps
 * KEYS[4..8]          its index of queued, running, succeeded, failed, cancelled runs
 * KEYS[9]  order      its submission counter (the indexes' score)
 * KEYS[10] limits     its own limits
 * KEYS[11] finished   its terminal runs by finish time (the retention sweep)
 * KEYS[12] claim      the Idempotency-Key's claim
 * KEYS[13] rate       its submission rate state (GCRA: when the next one is due)
 * KEYS[14] peak       its largest backlog since it last had none queued (priority)
 * ARGV[1]  tenantId   ARGV[2] runId   ARGV[3] now (ISO)   ARGV[4] max stream length
 * ARGV[5]  events channel             ARGV[6] retention seconds
 * ARGV[7..9]          default maxStoredRuns, maxQueuedRuns, runsPerMinute
 * ARGV[10] agent      ARGV[11] input (JSON)   ARGV[12] metadata (JSON, '' for none)
 * ARGV[13] requestHash: the request's hash, '' without an Idempotency-Key
 * Returns  {'queued', priority, <the run hash as HGETALL gives it>} | {'duplicate', runId, hash}
 *          | {'exists'} | {'storage_quota', limit} | {'queue_full', limit} | {'rate_limited', ms}
 */
const LUA = `
local runKey, streamKey, allKey = KEYS[1], KEYS[2], KEYS[3]
local index = { queued = KEYS[4], running = KEYS[5], succeeded = KEYS[6], failed = KEYS[7], cancelled = KEYS[8] }
local orderKey, limitsKey, finishedKey = KEYS[9], KEYS[10], KEYS[11]
local claimKey, rateKey, peakKey = KEYS[12], KEYS[13], KEYS[14]
local tenantId, runId, now, maxlen, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local retention = tonumber(ARGV[6])
local defaults = { maxStoredRuns = ARGV[7], maxQueuedRuns = ARGV[8], runsPerMinute = ARGV[9] }
local fleetShare = 0
local requestHash = ARGV[13]
${CLOCK}${TENANT_LIMITS}${IDEMPOTENCY}${RETENTION}${ADMISSION}${PRIORITY}${RUN_EVENTS}
local duplicate = claimed()
if duplicate then return duplicate end
if redis.call('EXISTS', runKey) == 1 then return { 'exists' } end

sweepExpired()
local queued = redis.call('ZCARD', index.queued)
local refused = admit(queued)
if refused then return refused end

claim()
local order = redis.call('INCR', orderKey)
redis.call('HSET', runKey, 'id', runId, 'tenantId', tenantId, 'agent', ARGV[10], 'status', 'queued',
  'input', ARGV[11], 'attempts', 0, 'createdAt', now, 'seq', 0, 'order', order)
if ARGV[12] ~= '' then redis.call('HSET', runKey, 'metadata', ARGV[12]) end
-- Stored runs never exceed maxStoredRuns (at most 100,000), so the indexes need no trimming: every key
-- of a run is in the index of all runs until it expires, and its entry is swept when it has.
redis.call('ZADD', allKey, order, runId)
redis.call('ZADD', index.queued, order, runId)
append('run.queued', '{}')
local priority = priorityOf(queued)
return { 'queued', priority, redis.call('HGETALL', runKey) }
`;

export interface SubmitArgs {
  readonly claimKey: string;
  readonly rateKey: string;
  readonly peakKey: string;
  readonly agent: string;
  readonly inputJson: string;
  readonly metadataJson: string;
  readonly requestHash: string;
}

export type SubmitOutcome =
  | { readonly kind: 'queued'; readonly priority: number; readonly record: Record<string, string> }
  | { readonly kind: 'duplicate'; readonly runId: string; readonly requestHash: string }
  | { readonly kind: 'exists' }
  | { readonly kind: 'storage_quota' | 'queue_full'; readonly limit: number }
  | { readonly kind: 'rate_limited'; readonly retryInMs: number };

export const submitRun: RunScript<SubmitArgs, SubmitOutcome> = {
  name: 'bulkheadSubmitRun',
  lua: LUA,
  keyCount: 14,
  keys: (k, args) => [
    k.run,
    k.events,
    k.all,
    k.queued,
    k.running,
    k.succeeded,
    k.failed,
    k.cancelled,
    k.order,
    k.limits,
    k.finished,
    args.claimKey,
    args.rateKey,
    args.peakKey,
  ],
  argv: (c, args) => [
    ...eventArgv(c),
    c.retentionSeconds,
    c.defaults.maxStoredRuns,
    c.defaults.maxQueuedRuns,
    c.defaults.runsPerMinute,
    args.agent,
    args.inputJson,
    args.metadataJson,
    args.requestHash,
  ],
  parse: (reply): SubmitOutcome => {
    const kind = textAt(reply, 0);
    if (kind === 'queued') {
      return { kind, priority: Number(textAt(reply, 1)), record: recordOf(listAt(reply, 2)) };
    }
    if (kind === 'duplicate') {
      return { kind, runId: textAt(reply, 1), requestHash: textAt(reply, 2) };
    }
    if (kind === 'storage_quota' || kind === 'queue_full') {
      return { kind, limit: Number(textAt(reply, 1)) };
    }
    if (kind === 'rate_limited') {
      return { kind, retryInMs: Number(textAt(reply, 1)) };
    }
    return { kind: 'exists' };
  },
};

/** HGETALL's flat [field, value, …] as a record. */
function recordOf(flat: string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    record[flat[i] ?? ''] = flat[i + 1] ?? '';
  }
  return record;
}
