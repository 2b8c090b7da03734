import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { parseOrThrow } from '@bulkhead/errors';
import type { FastifyReply } from 'fastify';
import { TenantContext } from '@bulkhead/context';
import { EventLog, Run, RunEvent, RunPage, RunStore } from '@bulkhead/store';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { RunCancellation } from './run-cancellation.service';
import { RunSubmission } from './run-submission.service';
import {
  ListRunsQuery,
  RunEventsQuery,
  RunParams,
  SubmitRun,
  idempotencyKeySchema,
  listRunsQuerySchema,
  runEventsQuerySchema,
  runParamsSchema,
  submitRunSchema,
} from './run.schemas';

@Controller('v1/runs')
@UseGuards(ApiKeyGuard)
export class RunsController {
  constructor(
    private readonly context: TenantContext,
    private readonly submission: RunSubmission,
    private readonly cancellation: RunCancellation,
    private readonly runs: RunStore,
    private readonly eventLog: EventLog,
  ) {}

  /** 202 for a new run; 200 with the first run when an Idempotency-Key repeats a request. */
  @Post()
  async submit(
    @Body(new ZodValidationPipe(submitRunSchema)) body: SubmitRun,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('content-length') contentLength: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Run> {
    const key = parseOrThrow(idempotencyKeySchema, idempotencyKey, 'Idempotency-Key');
    const bodyBytes = contentLength === undefined ? undefined : Number(contentLength);
    const { run, replayed } = await this.submission.submit(body, key, bodyBytes);
    void reply.status(replayed ? 200 : 202);
    return run;
  }

  @Get()
  list(
    @Query(new ZodValidationPipe(listRunsQuerySchema, 'query')) query: ListRunsQuery,
  ): Promise<RunPage> {
    return this.runs.list(this.tenantId(), query);
  }

  @Get(':id')
  get(@Param(new ZodValidationPipe(runParamsSchema, 'params')) { id }: RunParams): Promise<Run> {
    return this.runs.get(this.tenantId(), id);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  cancel(@Param(new ZodValidationPipe(runParamsSchema, 'params')) { id }: RunParams): Promise<Run> {
    return this.cancellation.cancel(id);
  }

  @Get(':id/events')
  async events(
    @Param(new ZodValidationPipe(runParamsSchema, 'params')) { id }: RunParams,
    @Query(new ZodValidationPipe(runEventsQuerySchema, 'query')) query: RunEventsQuery,
  ): Promise<{ items: RunEvent[] }> {
    const run = await this.runs.get(this.tenantId(), id);
    const { after, limit } = query;
    const items = await this.eventLog.readAfter(run.tenantId, run.id, after, limit);
    return { items };
  }

  private tenantId() {
    return this.context.require().tenantId;
  }
}
