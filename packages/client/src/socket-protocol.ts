import type { Socket } from 'socket.io-client';
import type { RunEvent } from './types.js';

/** The answer to `subscribe` and `unsubscribe`. */
export type Ack = { ok: true } | { ok: false; error: { code: string; message: string } };

/** What the server sends on /events; payloads are checked before use, so they arrive as unknown. */
export interface ServerToClientEvents {
  'run.event': (event: unknown) => void;
  'server.shutdown': (notice: unknown) => void;
}

export interface ClientToServerEvents {
  subscribe: (payload: { runId: string; after: number }, ack: (answer: unknown) => void) => void;
  unsubscribe: (payload: { runId: string }, ack: (answer: unknown) => void) => void;
}

export type EventsSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** An ack as the protocol defines it; anything else is reported as an error answer. */
export function parseAck(answer: unknown): Ack {
  if (isRecord(answer) && answer.ok === true) {
    return { ok: true };
  }
  const error = isRecord(answer) ? answer.error : undefined;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    return { ok: false, error: { code: error.code, message: error.message } };
  }
  return {
    ok: false,
    error: { code: 'invalid_response', message: 'The events socket sent an ack of unknown shape.' },
  };
}

/** A `run.event` payload with the fields the client routes and orders by, or undefined. */
export function parseRunEvent(payload: unknown): RunEvent | undefined {
  if (!isRecord(payload)) {
    return undefined;
  }
  const { id, runId, type, data, ts } = payload;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    return undefined;
  }
  if (typeof runId !== 'string' || typeof type !== 'string' || typeof ts !== 'string') {
    return undefined;
  }
  return { id, runId, type, data, ts };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
