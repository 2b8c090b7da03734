import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest } from '../../auth/authenticated-request';
import { ZodValidationPipe } from '../../http/zod-validation.pipe';
import { AgentProtocolKeyGuard } from '../agent-protocol-key.guard';
import { AgentRunView, runViewOf } from './agent-run';
import {
  AgentRunCreate,
  CancelQuery,
  JoinQuery,
  RunListQuery,
  agentRunCreateSchema,
  cancelQuerySchema,
  joinQuerySchema,
  runListQuerySchema,
  threadRunParamsSchema,
  threadRunsParamsSchema,
} from './agent-run.schemas';
import { AgentRuns, FoundRun } from './agent-runs.service';
import { bodyBytesOf, streamStartOf } from './run-requests';
import { RunStreams } from './run-streams.service';

type ThreadParams = { thread_id: string };
type RunParams = { thread_id: string; run_id: string };

/** Runs on a thread (LangGraph's `runs` client with a thread id). */
@Controller('lg/threads/:thread_id/runs')
@UseGuards(AgentProtocolKeyGuard)
export class ThreadRunsController {
  constructor(
    private readonly agentRuns: AgentRuns,
    private readonly streams: RunStreams,
  ) {}

  /** runs.create: 200 with the run (pending), Content-Location naming it. */
  @Post()
  @HttpCode(200)
  async create(
    @Param(new ZodValidationPipe(threadRunsParamsSchema, 'params')) { thread_id }: ThreadParams,
    @Body(new ZodValidationPipe(agentRunCreateSchema)) body: AgentRunCreate,
    @Headers('content-length') contentLength: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AgentRunView> {
    const found = await this.agentRuns.create(thread_id, body, bodyBytesOf(contentLength));
    void reply.header('content-location', `/threads/${thread_id}/runs/${found.run.id}`);
    return viewOf(found);
  }

  @Get()
  async list(
    @Param(new ZodValidationPipe(threadRunsParamsSchema, 'params')) { thread_id }: ThreadParams,
    @Query(new ZodValidationPipe(runListQuerySchema, 'query')) query: RunListQuery,
  ): Promise<AgentRunView[]> {
    const found = await this.agentRuns.list(thread_id, query);
    const views = found.map(viewOf);
    return query.status ? views.filter((view) => view.status === query.status) : views;
  }

  /** runs.stream: creates the run and streams it from its first event. */
  @Post('stream')
  async createAndStream(
    @Param(new ZodValidationPipe(threadRunsParamsSchema, 'params')) { thread_id }: ThreadParams,
    @Body(new ZodValidationPipe(agentRunCreateSchema)) body: AgentRunCreate,
    @Headers('content-length') contentLength: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cancelOnDisconnect = body.on_disconnect === 'cancel';
    await this.streams.admitted(async (admission) => {
      const found = await this.agentRuns.create(thread_id, body, bodyBytesOf(contentLength));
      await this.streams.stream(request, reply, { found, start: 0, cancelOnDisconnect, admission });
    });
  }

  /** runs.wait: creates the run and answers its final values once it ended. */
  @Post('wait')
  async createAndWait(
    @Param(new ZodValidationPipe(threadRunsParamsSchema, 'params')) { thread_id }: ThreadParams,
    @Body(new ZodValidationPipe(agentRunCreateSchema)) body: AgentRunCreate,
    @Headers('content-length') contentLength: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cancelOnDisconnect = body.on_disconnect === 'cancel';
    await this.streams.admitted(async (admission) => {
      const found = await this.agentRuns.create(thread_id, body, bodyBytesOf(contentLength));
      await this.streams.wait(request, reply, { found, start: 0, cancelOnDisconnect, admission });
    });
  }

  @Get(':run_id')
  async get(
    @Param(new ZodValidationPipe(threadRunParamsSchema, 'params')) params: RunParams,
  ): Promise<AgentRunView> {
    return viewOf(await this.agentRuns.find(params.thread_id, params.run_id));
  }

  /**
   * runs.cancel: 202 at once, or with wait 204 once the run ended. A run that already ended is left
   * as it was, and that is no error (clients cancel without checking first).
   */
  @Post(':run_id/cancel')
  async cancel(
    @Param(new ZodValidationPipe(threadRunParamsSchema, 'params')) params: RunParams,
    @Query(new ZodValidationPipe(cancelQuerySchema, 'query')) query: CancelQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const cancel = async () => {
      const found = await this.agentRuns.find(params.thread_id, params.run_id);
      await this.agentRuns.cancel(found, query.action);
      return found;
    };
    if (!query.wait) {
      await cancel();
      void reply.status(202);
      return;
    }
    // Waiting holds one of the tenant's places, as a join does.
    await this.streams.admitted(async (admission) =>
      this.streams.untilEnded(await cancel(), admission),
    );
    void reply.status(204);
  }

  /** runs.join: the run's final values once it ended. */
  @Get(':run_id/join')
  async join(
    @Param(new ZodValidationPipe(threadRunParamsSchema, 'params')) params: RunParams,
    @Query(new ZodValidationPipe(joinQuerySchema, 'query')) query: JoinQuery,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cancelOnDisconnect = query.cancel_on_disconnect;
    await this.streams.admitted(async (admission) => {
      const found = await this.agentRuns.find(params.thread_id, params.run_id);
      await this.streams.wait(request, reply, {
        found,
        start: 'live',
        cancelOnDisconnect,
        admission,
      });
    });
  }

  /** runs.joinStream, and where the SDK reconnects a stream to (the Location it was given). */
  @Get(':run_id/stream')
  async joinStream(
    @Param(new ZodValidationPipe(threadRunParamsSchema, 'params')) params: RunParams,
    @Query(new ZodValidationPipe(joinQuerySchema, 'query')) query: JoinQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const start = streamStartOf(lastEventId, query);
    await this.streams.admitted(async (admission) => {
      const found = await this.agentRuns.find(params.thread_id, params.run_id);
      await this.streams.stream(request, reply, {
        found,
        start,
        modes: query.stream_mode,
        cancelOnDisconnect: query.cancel_on_disconnect,
        admission,
      });
    });
  }
}

export function viewOf({ run, agentRun }: FoundRun): AgentRunView {
  return runViewOf(run, agentRun);
}
