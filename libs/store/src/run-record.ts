import { RunId, TenantId } from '@bulkhead/context';
import { JsonObject, RUN_STATUSES, Run, RunError, RunStatus } from './run';

/** A run hash as Redis returns it, or undefined for an empty reply (no such run, or it expired). */
export function parseRun(hash: Record<string, string>): Run | undefined {
  if (!hash.id || !hash.status) return undefined;
  return {
    id: hash.id as RunId,
    tenantId: hash.tenantId as TenantId,
    agent: hash.agent ?? '',
    status: asStatus(hash.status),
    input: parseJson(hash.input),
    ...optional('output', hash.output === undefined ? undefined : parseJson(hash.output)),
    ...optional(
      'error',
      hash.error === undefined ? undefined : (parseJson(hash.error) as RunError),
    ),
    attempts: Number(hash.attempts ?? 0),
    ...optional(
      'metadata',
      hash.metadata === undefined ? undefined : (parseJson(hash.metadata) as JsonObject),
    ),
    createdAt: hash.createdAt ?? '',
    ...optional('startedAt', hash.startedAt),
    ...optional('finishedAt', hash.finishedAt),
    ...optional('cancelRequestedAt', hash.cancelRequestedAt),
  };
}

function asStatus(value: string): RunStatus {
  const status = RUN_STATUSES.find((s) => s === value);
  if (!status) throw new Error(`A run record holds an unknown status "${value}".`);
  return status;
}

function parseJson(value: string | undefined): unknown {
  return value === undefined ? undefined : JSON.parse(value);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
