import type { DailyTokens, Tenant } from '@bulkhead/client';
import { recordTable } from './table.js';

/** A tenant with the limits in force (its own or the defaults) and its live usage. */
export function tenantRecord(tenant: Tenant): string {
  return recordTable([
    ['id', tenant.id],
    ['name', tenant.name],
    ['created', tenant.createdAt],
    ['agents', tenant.agents === null ? 'all' : tenant.agents.join(', ') || 'none'],
    ['max concurrent runs', tenant.limits.maxConcurrentRuns],
    ['max queued runs', tenant.limits.maxQueuedRuns],
    ['runs per minute', tenant.limits.runsPerMinute],
    ['max stored runs', tenant.limits.maxStoredRuns],
    ['max tokens per day', tenant.limits.maxTokensPerDay ?? 'no limit'],
    ['queued now', tenant.usage.queued],
    ['running now', tenant.usage.running],
    ['stored now', tenant.usage.stored],
    ['tokens today', tokensOf(tenant.usage.tokensByDay[0])],
  ]);
}

function tokensOf(day: DailyTokens | undefined): string {
  if (day === undefined) {
    return '0';
  }
  const { inputTokens, outputTokens, calls } = day;
  return `${inputTokens + outputTokens} (${inputTokens} in, ${outputTokens} out, ${calls} calls)`;
}
