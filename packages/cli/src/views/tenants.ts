import type { Tenant } from '@bulkhead/client';
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
    ['queued now', tenant.usage.queued],
    ['running now', tenant.usage.running],
    ['stored now', tenant.usage.stored],
  ]);
}
