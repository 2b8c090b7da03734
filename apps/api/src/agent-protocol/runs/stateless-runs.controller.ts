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
import { AgentRunView } from './agent-run';
import {
  AgentRunCreate,
  JoinQuery,
  agentRunCreateSchema,
  joinQuerySchema,
  statelessRunParamsSchema,
} from './agent-run.schemas';
import { AgentRuns } from './agent-runs.service';
import { bodyBytesOf, streamStartOf } from './run-requests';
import { RunStreams } from './run-streams.service';
import { viewOf } from './thread-runs.controller';

/**
 * Stateless runs (LangGraph's `runs` client with a null thread). Such a run's thread id is its own
 * run id: no thread is stored, and its paths (/threads/{run}/runs/{run}) work like any run's, so
 * the SDK's reconnection, which needs a thread in the path, works for it too.
 */
@Controller('lg/runs')
@UseGuards(AgentProtocolKeyGuard)
export class StatelessRunsController {
  constructor(
    private readonly agentRuns: AgentRuns,
    private readonly streams: RunStreams,
  ) {}

  @Post()
  @HttpCode(200)
  async create(
    @Body(new ZodValidationPipe(agentRunCreateSchema)) body: AgentRunCreate,
    @Headers('content-length') contentLength: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AgentRunView> {
    const found = await this.agentRuns.create(null, body, bodyBytesOf(contentLength));
    void reply.header('content-location', `/threads/${found.run.id}/runs/${found.run.id}`);
    return viewOf(found);
  }

  @Post('stream')
  async createAndStream(
    @Body(new ZodValidationPipe(agentRunCreateSchema)) body: AgentRunCreate,
    @Headers('content-length') contentLength: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cancelOnDisconnect = body.on_disconnect === 'cancel';
    await this.streams.admitted(async (admission) => {
      const found = await this.agentRuns.create(null, body, bodyBytesOf(contentLength));
      await this.streams.stream(request, reply, { found, start: 0, cancelOnDisconnect, admission });
    });
  }

  @Post('wait')
  async createAndWait(
    @Body(new ZodValidationPipe(agentRunCreateSchema)) body: AgentRunCreate,
    @Headers('content-length') contentLength: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cancelOnDisconnect = body.on_disconnect === 'cancel';
    await this.streams.admitted(async (admission) => {
      const found = await this.agentRuns.create(null, body, bodyBytesOf(contentLength));
      await this.streams.wait(request, reply, { found, start: 0, cancelOnDisconnect, admission });
    });
  }

  /** joinStream(null, runId). */
  @Get(':run_id/stream')
  async joinStream(
    @Param(new ZodValidationPipe(statelessRunParamsSchema, 'params'))
    { run_id }: { run_id: string },
    @Query(new ZodValidationPipe(joinQuerySchema, 'query')) query: JoinQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const start = streamStartOf(lastEventId, query);
    await this.streams.admitted(async (admission) => {
      const found = await this.agentRuns.findStateless(run_id);
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
