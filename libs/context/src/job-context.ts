import { z } from 'zod';
import { RunId, TENANT_ID_PATTERN, TenantId, TenantScope } from './tenant-scope';

/** The context envelope every job carries, written at enqueue and checked before a job runs. */
export const jobContextSchema = z.object({
  tenantId: z.string().regex(TENANT_ID_PATTERN),
  runId: z.string().min(1).max(128),
  requestId: z.string().min(1).max(128),
});

export interface JobContext {
  readonly tenantId: TenantId;
  readonly runId: RunId;
  readonly requestId: string;
}

export class InvalidJobContextError extends Error {
  constructor(reason: string) {
    super(`The job carries no valid tenant context: ${reason}`);
  }
}

export function toJobContext(scope: TenantScope, runId: RunId): JobContext {
  return { tenantId: scope.tenantId, runId, requestId: scope.requestId };
}

/** Restores the scope a job runs in from its envelope; throws InvalidJobContextError if it is malformed. */
export function scopeFromJob(jobId: string, envelope: unknown): TenantScope {
  const parsed = jobContextSchema.safeParse(envelope);
  if (!parsed.success) {
    throw new InvalidJobContextError(parsed.error.message);
  }
  if (parsed.data.runId !== jobId) {
    throw new InvalidJobContextError(`job ${jobId} names run ${parsed.data.runId}`);
  }
  return {
    tenantId: parsed.data.tenantId as TenantId,
    runId: parsed.data.runId as RunId,
    requestId: parsed.data.requestId,
    principal: { kind: 'job', jobId },
  };
}
