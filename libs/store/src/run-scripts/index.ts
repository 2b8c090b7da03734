import type { Redis } from 'ioredis';
import { appendEvent } from './append-event.script';
import { cancelRun } from './cancel-run.script';
import { finishRun } from './finish-run.script';
import { parkRun } from './park-run.script';
import { releaseClaim } from './release-claim.script';
import { requeueRun } from './requeue-run.script';
import { defineScript } from './run-script';
import { startRun } from './start-run.script';
import { submitRun } from './submit-run.script';
import { wakeParked } from './wake-parked.script';

/**
 * The run scripts. Every change of a run's status is one of them, so a transition, its event, its
 * index moves and the tenant's limits happen atomically: two racing transitions (cancel and
 * completion, two deliveries of one job) see each other's result and exactly one terminal event is
 * ever written; two workers cannot both take a tenant's last free slot. Each touches only keys of one
 * tenant, passed in KEYS: one cluster slot. One file per script, with its KEYS and ARGV in its
 * header; the Lua they share is in lua/, one include per capability.
 */
const RUN_SCRIPTS = [
  submitRun,
  startRun,
  parkRun,
  requeueRun,
  finishRun,
  cancelRun,
  appendEvent,
  wakeParked,
  releaseClaim,
] as const;

/** Registers every run script on a client; ioredis then calls them by SHA. */
export function defineRunScripts(redis: Redis): void {
  for (const script of RUN_SCRIPTS) {
    defineScript(redis, script);
  }
}

export { RunKeys, RunScript, RunScriptContext, callScript } from './run-script';
export { Transition } from './lifecycle';
export { SubmitOutcome, submitRun } from './submit-run.script';
export { StartOutcome, startRun } from './start-run.script';
export { ParkOutcome, parkRun } from './park-run.script';
export { requeueRun } from './requeue-run.script';
export { finishRun } from './finish-run.script';
export { CancelOutcome, cancelRun } from './cancel-run.script';
export { appendEvent } from './append-event.script';
export { wakeParked } from './wake-parked.script';
export { releaseClaim } from './release-claim.script';
