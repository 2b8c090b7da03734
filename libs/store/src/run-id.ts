import { RunId } from '@bulkhead/context';
import { randomBytes } from 'node:crypto';

const TIME_WIDTH = 9;
const RUN_ID_PATTERN = /^run_[0-9a-z]{9}[A-Za-z0-9_-]{22}$/;

/**
 * `run_` + creation time (base 36, fixed width, so ids roughly sort by time) + 128 random bits, so
 * ids are unguessable and never collide.
 */
export function newRunId(now = Date.now()): RunId {
  return `run_${timePrefix(now)}${randomBytes(16).toString('base64url')}` as RunId;
}

export function isRunId(value: string): value is RunId {
  return RUN_ID_PATTERN.test(value);
}

function timePrefix(time: number): string {
  return time.toString(36).padStart(TIME_WIDTH, '0');
}
