import { Injectable } from '@nestjs/common';
import { TenantContext } from '@bulkhead/context';
import { RunFinishedError, RunNotFoundError } from '@bulkhead/errors';
import { Run, RunStore, isRunId } from '@bulkhead/store';

/**
 * Cancels a run of the current tenant. A queued run ends cancelled at once and never starts; a running
 * one is marked, its worker is told over pub/sub and aborts the agent, and it ends cancelled.
 */
@Injectable()
export class RunCancellation {
  constructor(
    private readonly context: TenantContext,
    private readonly runs: RunStore,
  ) {}

  async cancel(runId: string): Promise<Run> {
    const { tenantId } = this.context.require();
    if (!isRunId(runId)) {
      throw new RunNotFoundError(runId);
    }
    const outcome = await this.runs.requestCancel(tenantId, runId);
    if (outcome === 'missing') {
      throw new RunNotFoundError(runId);
    }
    const run = await this.runs.get(tenantId, runId);
    if (outcome === 'finished') {
      throw new RunFinishedError(runId, run.status);
    }
    return run;
  }
}
