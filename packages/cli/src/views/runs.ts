import type { Run, RunSummary } from '@bulkhead/client';
import { inlineJson, listTable, recordTable } from './table.js';

/** One run, every field it has, JSON values on one line each. */
export function runRecord(run: Run): string {
  return recordTable([
    ['id', run.id],
    ['agent', run.agent],
    ['status', run.status],
    ['attempts', run.attempts],
    ['input', inlineJson(run.input)],
    ['output', inlineJson(run.output)],
    ['error', run.error?.message],
    ['metadata', inlineJson(run.metadata)],
    ['created', run.createdAt],
    ['started', run.startedAt],
    ['finished', run.finishedAt],
    ['cancel requested', run.cancelRequestedAt],
  ]);
}

/** A page of runs as GET /v1/runs lists them: without input and output, so one line each. */
export function runTable(runs: RunSummary[]): string {
  return listTable(
    ['id', 'agent', 'status', 'attempts', 'created', 'finished'],
    runs.map((run) => [run.id, run.agent, run.status, run.attempts, run.createdAt, run.finishedAt]),
  );
}
