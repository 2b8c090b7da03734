import type { RunEvent } from '@bulkhead/client';
import { isRecord } from '../is-record.js';

/** `#3 agent.progress {"step":1,"of":5}`: id first, so a reader knows what to pass to --after. */
export function eventLine(event: RunEvent): string {
  const data = event.data === undefined ? '' : ` ${JSON.stringify(event.data)}`;
  return `#${event.id} ${event.type}${data}`;
}

export interface Progress {
  readonly step: number;
  readonly of: number;
}

/** The `{step, of}` of an agent.progress event, or undefined for any other event. */
export function progressOf(event: RunEvent): Progress | undefined {
  if (event.type !== 'agent.progress') {
    return undefined;
  }
  const data: unknown = event.data;
  if (!isRecord(data)) {
    return undefined;
  }
  const { step, of } = data;
  if (typeof step !== 'number' || typeof of !== 'number') {
    return undefined;
  }
  return { step, of };
}
