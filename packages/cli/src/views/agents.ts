import type { Agent } from '@bulkhead/client';
import { isRecord } from '../is-record.js';
import { listTable } from './table.js';

/** Descriptions are sentences; wrapped, the table fits a usual terminal. */
const DESCRIPTION_WIDTH = 60;

export function agentTable(agents: Agent[]): string {
  return listTable(
    ['name', 'workers', 'input', 'description'],
    agents.map((agent) => [
      agent.name,
      workersOf(agent),
      inputSummary(agent.inputSchema),
      agent.description,
    ]),
    [null, null, null, DESCRIPTION_WIDTH],
  );
}

/** `2`, or `3 (2 versions)` while a deploy rolls and live workers serve more than one version. */
function workersOf(agent: Agent): string {
  const versions = agent.versions.length;
  return versions > 1 ? `${agent.workers} (${versions} versions)` : String(agent.workers);
}

/**
 * The input's fields from its JSON Schema, optional ones marked `?` (`steps, intervalMs?`), so a
 * user can write --input without reading the schema; `any object` for a free-form input.
 */
export function inputSummary(schema: unknown): string {
  if (!isRecord(schema) || !isRecord(schema.properties)) {
    return 'any object';
  }
  const required: unknown[] = Array.isArray(schema.required) ? schema.required : [];
  const fields = Object.keys(schema.properties).map((name) =>
    required.includes(name) ? name : `${name}?`,
  );
  return fields.length === 0 ? 'any object' : fields.join(', ');
}
