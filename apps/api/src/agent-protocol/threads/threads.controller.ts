import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { TenantContext, TenantId } from '@bulkhead/context';
import { ThreadExistsError, ThreadNotFoundError, TooManyThreadsError } from '@bulkhead/errors';
import { AgentThreads, MAX_THREADS_PER_TENANT, RunStore, StoredThread } from '@bulkhead/store';
import { ZodValidationPipe } from '../../http/zod-validation.pipe';
import { AgentProtocolKeyGuard } from '../agent-protocol-key.guard';
import { Thread, threadOf } from './thread';
import {
  ThreadCreate,
  ThreadSearch,
  threadCreateSchema,
  threadParamsSchema,
  threadSearchSchema,
} from './thread.schemas';

/** Threads: the tenant's containers of runs, with metadata (LangGraph's `threads` client). */
@Controller('lg/threads')
@UseGuards(AgentProtocolKeyGuard)
export class ThreadsController {
  constructor(
    private readonly threads: AgentThreads,
    private readonly runs: RunStore,
    private readonly context: TenantContext,
  ) {}

  @Post()
  @HttpCode(200)
  async create(
    @Body(new ZodValidationPipe(threadCreateSchema)) body: ThreadCreate,
  ): Promise<Thread> {
    const threadId = body.thread_id ?? randomUUID();
    const created = await this.threads.create(this.tenantId(), threadId, body.metadata);
    if (created.kind === 'full') {
      throw new TooManyThreadsError(MAX_THREADS_PER_TENANT);
    }
    if (created.kind === 'exists' && body.if_exists === 'raise') {
      throw new ThreadExistsError(threadId);
    }
    return this.viewOf(created.thread);
  }

  @Post('search')
  @HttpCode(200)
  async search(
    @Body(new ZodValidationPipe(threadSearchSchema)) query: ThreadSearch,
  ): Promise<Thread[]> {
    const found = await this.threads.search(this.tenantId(), {
      metadata: query.metadata,
      ids: query.ids,
      status: query.status,
      values: query.values,
      limit: query.limit,
      offset: query.offset,
      order: query.sort_order,
    });
    return found.map(({ thread, state }) => threadOf(thread, state));
  }

  @Get(':thread_id')
  async get(
    @Param(new ZodValidationPipe(threadParamsSchema, 'params'))
    { thread_id }: { thread_id: string },
  ): Promise<Thread> {
    const thread = await this.threads.get(this.tenantId(), thread_id);
    if (!thread) {
      throw new ThreadNotFoundError(thread_id);
    }
    return this.viewOf(thread);
  }

  @Delete(':thread_id')
  @HttpCode(204)
  async delete(
    @Param(new ZodValidationPipe(threadParamsSchema, 'params'))
    { thread_id }: { thread_id: string },
  ): Promise<void> {
    const tenantId = this.tenantId();
    const deleted = await this.threads.delete(tenantId, thread_id);
    if (!deleted.existed) {
      throw new ThreadNotFoundError(thread_id);
    }
    // Its runs could not be found through it any more, and waiting ones would never start: they
    // end cancelled (one that has finished already is left as it is).
    await Promise.all(deleted.runs.map((runId) => this.runs.requestCancel(tenantId, runId)));
  }

  private async viewOf(thread: StoredThread): Promise<Thread> {
    const states = await this.threads.statesOf(this.tenantId(), [thread]);
    return threadOf(thread, states.get(thread.id));
  }

  private tenantId(): TenantId {
    return this.context.require().tenantId;
  }
}
