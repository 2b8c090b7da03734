import { DomainError } from '@bulkhead/errors';

/** What an agent's event type must look like: the `agent.` namespace, then a short name. */
export const AGENT_EVENT_TYPE = /^agent\.[a-z0-9][a-z0-9._-]{0,62}$/;

export class AgentEventRejectedError extends DomainError {
  readonly code = 'agent_event_rejected';
  readonly kind = 'validation';
}

/**
 * The checks every emit passes, in a worker and in @bulkhead/worker/testing alike: the type's
 * shape, JSON encoding, and EVENT_MAX_BYTES. Returns the data as it is stored (undefined → null).
 */
export function checkedEvent(type: string, data: unknown, maxBytes: number): unknown {
  if (!AGENT_EVENT_TYPE.test(type)) {
    throw new AgentEventRejectedError(`Event type "${type}" must match ${AGENT_EVENT_TYPE}.`);
  }
  const json = encodable(type, data ?? null);
  if (Buffer.byteLength(json) > maxBytes) {
    throw new AgentEventRejectedError(
      `Event ${type} is over ${maxBytes} bytes of JSON (EVENT_MAX_BYTES); emit less, or several events.`,
    );
  }
  return data ?? null;
}

function encodable(type: string, data: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentEventRejectedError(`Event ${type} cannot be encoded as JSON (${reason}).`);
  }
  if (json === undefined) {
    throw new AgentEventRejectedError(
      `Event ${type} cannot be encoded as JSON (a function or symbol).`,
    );
  }
  return json;
}
