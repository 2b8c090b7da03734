import { Injectable } from '@nestjs/common';
import { RunId, TenantContext, TenantId, jobContextSchema } from '@bulkhead/context';
import {
  AssistantNotFoundError,
  ThreadBusyError,
  ThreadNotFoundError,
  ThreadQueueFullError,
  ThreadRunNotFoundError,
  TooManyThreadsError,
  describeError,
} from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import {
  AgentRegistry,
  AgentRun,
  AgentThreads,
  MAX_THREADS_PER_TENANT,
  MAX_WAITING_RUNS_PER_THREAD,
  Run,
  RunStore,
  ThreadLanes,
  TurnTaken,
  isRunId,
} from '@bulkhead/store';
import { z } from 'zod';
import { PreparedRun, QueuedJob, RunSubmission } from '../../runs/run-submission.service';
import { agentNamed, assistantIdOf } from '../assistants/assistant';
import { AgentRunCreate } from './agent-run.schemas';

/** A run with what the LangGraph API keeps of it. */
export interface FoundRun {
  readonly run: Run;
  readonly agentRun: AgentRun;
}

const queuedJobSchema = z.object({
  agent: z.string(),
  context: jobContextSchema,
  retry: z.object({
    attempts: z.number().int(),
    backoff: z.object({ type: z.enum(['fixed', 'exponential']), delay: z.number() }),
  }),
});

/**
 * Runs of the LangGraph API for the current tenant: created on a thread (through its lane, so the
 * multitask strategies hold across processes) or stateless, found only on the thread they belong
 * to, cancelled, and the lane moved on when a run of it ended.
 */
@Injectable()
export class AgentRuns {
  constructor(
    private readonly context: TenantContext,
    private readonly registry: AgentRegistry,
    private readonly submission: RunSubmission,
    private readonly threads: AgentThreads,
    private readonly lanes: ThreadLanes,
    private readonly runs: RunStore,
    private readonly logger: AppLogger,
  ) {}

  /** `threadId` null: a stateless run, whose thread id is its own run id. */
  async create(
    threadId: string | null,
    body: AgentRunCreate,
    bodyBytes?: number,
  ): Promise<FoundRun> {
    const tenantId = this.tenantId();
    const agent = agentNamed(await this.registry.listFor(tenantId), body.assistant_id);
    if (!agent) {
      throw new AssistantNotFoundError(body.assistant_id);
    }
    const prepared = await this.submission.prepare(
      { agent: agent.name, input: body.input ?? {}, metadata: body.metadata },
      bodyBytes,
    );
    const agentRun: AgentRun = {
      threadId: threadId ?? prepared.runId,
      stateless: threadId === null,
      assistantId: assistantIdOf(agent.name),
      streamModes: body.stream_mode ?? ['values'],
      strategy: threadId === null ? null : body.multitask_strategy,
    };
    const run =
      threadId === null
        ? await this.createStateless(tenantId, prepared, agentRun)
        : await this.createOnThread(tenantId, prepared, agentRun, body);
    return { run, agentRun };
  }

  /** A run of the tenant on that thread (a stateless run's thread id is its run id), else 404. */
  async find(threadId: string, runId: string): Promise<FoundRun> {
    const tenantId = this.tenantId();
    const missing = new ThreadRunNotFoundError(threadId, runId);
    if (!isRunId(runId)) {
      throw missing;
    }
    const agentRun = await this.lanes.agentRun(tenantId, runId);
    if (!agentRun || agentRun.threadId !== threadId) {
      throw missing;
    }
    const onThread = agentRun.stateless || (await this.lanes.isOnThread(tenantId, threadId, runId));
    const run = onThread ? await this.runs.find(tenantId, runId) : undefined;
    if (!run) {
      throw missing;
    }
    return { run, agentRun };
  }

  /** A stateless run by its id alone (joinStream with a null thread). */
  findStateless(runId: string): Promise<FoundRun> {
    return this.find(runId, runId);
  }

  /** The thread's runs, newest first; the thread must be the tenant's. */
  async list(threadId: string, page: { limit: number; offset: number }): Promise<FoundRun[]> {
    const tenantId = this.tenantId();
    if (!(await this.threads.get(tenantId, threadId))) {
      throw new ThreadNotFoundError(threadId);
    }
    const ids = await this.lanes.runsOf(tenantId, threadId, page);
    const found = await Promise.all(
      ids.map(async (runId) => {
        const [run, agentRun] = await Promise.all([
          this.runs.find(tenantId, runId),
          this.lanes.agentRun(tenantId, runId),
        ]);
        return run && agentRun ? [{ run, agentRun }] : [];
      }),
    );
    return found.flat();
  }

  /**
   * Asks a run to stop (a finished one is left as it is: cancelling it is no error); rollback also
   * takes it off its thread. The thread's next run starts once it has ended.
   */
  async cancel(found: FoundRun, action: 'interrupt' | 'rollback'): Promise<void> {
    const tenantId = this.tenantId();
    const { run, agentRun } = found;
    await this.runs.requestCancel(tenantId, run.id);
    if (agentRun.stateless) {
      return;
    }
    if (action === 'rollback') {
      await this.lanes.forget(tenantId, agentRun.threadId, run.id);
    }
    await this.advance(tenantId, agentRun.threadId);
  }

  /**
   * Moves the thread's line on if its active run has ended: the next run's job is enqueued. Any
   * process may call it at any time; what was enqueued already is not enqueued twice.
   */
  async advance(tenantId: TenantId, threadId: string): Promise<void> {
    const { waiting, next } = await this.lanes.advance(tenantId, threadId);
    if (next) {
      await this.enqueueTurn(tenantId, next);
    }
    if (waiting > 0) {
      await this.lanes.markWaiting(tenantId, threadId);
    }
  }

  private async createStateless(
    tenantId: TenantId,
    prepared: PreparedRun,
    agentRun: AgentRun,
  ): Promise<Run> {
    await this.lanes.recordStateless(tenantId, prepared.runId, agentRun);
    const submitted = await this.submission.record(prepared);
    await this.submission.enqueue(prepared.runId, prepared.agent, submitted.priority);
    return submitted.run;
  }

  private async createOnThread(
    tenantId: TenantId,
    prepared: PreparedRun,
    agentRun: AgentRun,
    body: AgentRunCreate,
  ): Promise<Run> {
    const threadId = agentRun.threadId;
    if (body.if_not_exists === 'create') {
      const created = await this.threads.create(tenantId, threadId, {});
      if (created.kind === 'full') {
        throw new TooManyThreadsError(MAX_THREADS_PER_TENANT);
      }
    }
    const job = this.submission.jobOf(prepared);
    const strategy = body.multitask_strategy;
    const claim = await this.lanes.claim(
      tenantId,
      prepared.runId,
      { ...agentRun, strategy },
      JSON.stringify(job),
    );
    switch (claim.kind) {
      case 'missing':
        throw new ThreadNotFoundError(threadId);
      case 'busy':
        throw new ThreadBusyError(threadId);
      case 'full':
        throw new ThreadQueueFullError(threadId, MAX_WAITING_RUNS_PER_THREAD);
      case 'start':
      case 'wait':
      case 'preempt':
        break;
    }
    const preempted = claim.kind === 'preempt' ? claim.preempted : [];
    const submitted = await this.recordClaimed(tenantId, threadId, prepared, preempted);
    await this.cancelAll(tenantId, preempted);
    if (!(await this.lanes.holds(tenantId, threadId, prepared.runId))) {
      // Another run preempted this one while it was being recorded: it ends cancelled, unstarted.
      await this.runs.requestCancel(tenantId, prepared.runId);
    } else if (claim.kind === 'start') {
      await this.submission.enqueueJob(job, submitted.priority);
      return submitted.run;
    }
    await this.advance(tenantId, threadId);
    return submitted.run;
  }

  /**
   * Records a claimed run. A refusal (input, limits) gives the claim back before it is thrown; the
   * runs the claim preempted have left the lane already, so they end cancelled all the same rather
   * than wait for ever.
   */
  private async recordClaimed(
    tenantId: TenantId,
    threadId: string,
    prepared: PreparedRun,
    preempted: readonly RunId[],
  ) {
    try {
      return await this.submission.record(prepared);
    } catch (error) {
      await this.lanes.release(tenantId, threadId, prepared.runId);
      await this.cancelAll(tenantId, preempted);
      throw error;
    }
  }

  private async cancelAll(tenantId: TenantId, runIds: readonly RunId[]): Promise<void> {
    await Promise.all(runIds.map((runId) => this.runs.requestCancel(tenantId, runId)));
  }

  /**
   * Enqueues the run whose turn came. A job that no longer reads (written by another release) fails
   * its run, so the thread moves on instead of waiting on it for ever.
   */
  private async enqueueTurn(
    tenantId: TenantId,
    { runId, jobJson, priority }: TurnTaken,
  ): Promise<void> {
    const parsed = queuedJobSchema.safeParse(parseJson(jobJson));
    if (!parsed.success || parsed.data.context.runId !== runId) {
      this.logger.error('lane.job_malformed', { runId });
      const message = 'The run could not be started from its stored job; submit it again.';
      await this.runs.finish(tenantId, runId, { status: 'failed', error: { message } });
      return;
    }
    try {
      await this.submission.enqueueJob(parsed.data as QueuedJob, priority);
    } catch (error) {
      this.logger.warn('lane.enqueue_failed', { runId, error: describeError(error) });
    }
  }

  private tenantId(): TenantId {
    return this.context.require().tenantId;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
