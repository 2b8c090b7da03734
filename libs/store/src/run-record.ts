import { RunId, TenantId } from '@bulkhead/context';
import {
  JsonObject,
  RUN_STATUSES,
  RUN_SUMMARY_FIELDS,
  Run,
  RunError,
  RunStatus,
  RunSummary,
} from './run';
import type { RunUsage } from './token-usage';

type RunHash = Partial<Record<string, string>>;

/**
 * A run hash as Redis returns it, or undefined for an empty reply (no such run, or it expired). A
 * field that does not parse (a record written by a bug, or changed by hand) reads as null: no stored
 * record can make a read fail.
 */
export function parseRun(hash: RunHash): Run | undefined {
  const summary = parseSummary(hash);
  if (!summary) {
    return undefined;
  }
  return {
    ...summary,
    input: parseJson(hash.input) ?? null,
    ...optional('output', hash.output === undefined ? undefined : (parseJson(hash.output) ?? null)),
    ...optional('usage', asUsage(parseJson(hash.usage))),
  };
}

/** A summary from the RUN_SUMMARY_FIELDS of a run hash, read in that order (HMGET). */
export function parseSummaryFields(values: (string | null)[]): RunSummary | undefined {
  const hash: RunHash = {};
  RUN_SUMMARY_FIELDS.forEach((field, i) => {
    const value = values[i];
    if (value !== null && value !== undefined) {
      hash[field] = value;
    }
  });
  return parseSummary(hash);
}

function parseSummary(hash: RunHash): RunSummary | undefined {
  const status = RUN_STATUSES.find((s) => s === hash.status);
  if (!hash.id || !status) {
    return undefined;
  }
  return {
    id: hash.id as RunId,
    tenantId: hash.tenantId as TenantId,
    agent: hash.agent ?? '',
    status: status satisfies RunStatus,
    ...optional('error', asError(parseJson(hash.error))),
    attempts: Number(hash.attempts ?? 0),
    ...optional('metadata', asObject(parseJson(hash.metadata))),
    createdAt: hash.createdAt ?? '',
    ...optional('startedAt', hash.startedAt),
    ...optional('finishedAt', hash.finishedAt),
    ...optional('cancelRequestedAt', hash.cancelRequestedAt),
  };
}

/** A stored usage, its totals and entries read field by field: what does not parse reads as 0. */
function asUsage(value: unknown): RunUsage | undefined {
  const usage = asObject(value);
  if (!usage) {
    return undefined;
  }
  const entries = Array.isArray(usage.byModel) ? usage.byModel : [];
  return {
    ...countsOf(usage),
    byModel: entries.flatMap((entry: unknown) => {
      const fields = asObject(entry);
      return fields
        ? [{ provider: String(fields.provider), model: String(fields.model), ...countsOf(fields) }]
        : [];
    }),
  };
}

function countsOf(fields: JsonObject): {
  inputTokens: number;
  outputTokens: number;
  calls: number;
} {
  const count = (value: unknown) => (typeof value === 'number' && value >= 0 ? value : 0);
  return {
    inputTokens: count(fields.inputTokens),
    outputTokens: count(fields.outputTokens),
    calls: count(fields.calls),
  };
}

function asError(value: unknown): RunError | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const { message, code } = value as { message?: unknown; code?: unknown };
  if (typeof message !== 'string') {
    return undefined;
  }
  return typeof code === 'string' ? { code, message } : { message };
}

/** A stored JSON object, or undefined when the text is absent, not JSON or not an object. */
export function parseJsonObject(text: string | undefined): JsonObject | undefined {
  return asObject(parseJson(text));
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

function parseJson(value: string | undefined): unknown {
  if (value === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return null;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
