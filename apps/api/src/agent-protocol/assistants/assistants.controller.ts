import { Body, Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { TenantContext } from '@bulkhead/context';
import { AssistantNotFoundError } from '@bulkhead/errors';
import { AgentRegistry } from '@bulkhead/store';
import type { FastifyReply } from 'fastify';
import { ZodValidationPipe } from '../../http/zod-validation.pipe';
import { AgentProtocolKeyGuard } from '../agent-protocol-key.guard';
import { Assistant, agentNamed, assistantOf } from './assistant';
import { AssistantSearch, assistantParamsSchema, assistantSearchSchema } from './assistant.schemas';

/** The agents a tenant may use, as LangGraph assistants (one per agent, `graph_id` its name). */
@Controller('lg/assistants')
@UseGuards(AgentProtocolKeyGuard)
export class AssistantsController {
  constructor(
    private readonly registry: AgentRegistry,
    private readonly context: TenantContext,
  ) {}

  @Post('search')
  @HttpCode(200)
  async search(
    @Body(new ZodValidationPipe(assistantSearchSchema)) query: AssistantSearch,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Partial<Assistant>[]> {
    const matching = (await this.assistants()).filter((assistant) => matches(assistant, query));
    const sorted = sortedBy(matching, query);
    const page = sorted.slice(query.offset, query.offset + query.limit);
    void reply.header('X-Pagination-Total', String(matching.length));
    if (query.offset + page.length < matching.length) {
      void reply.header('X-Pagination-Next', String(query.offset + page.length));
    }
    return page.map((assistant) => selected(assistant, query.select));
  }

  @Get(':assistant_id')
  async get(
    @Param(new ZodValidationPipe(assistantParamsSchema, 'params'))
    { assistant_id }: { assistant_id: string },
  ): Promise<Assistant> {
    const agents = await this.registry.listFor(this.context.require().tenantId);
    const agent = agentNamed(agents, assistant_id);
    if (!agent) {
      throw new AssistantNotFoundError(assistant_id);
    }
    return assistantOf(agent);
  }

  private async assistants(): Promise<Assistant[]> {
    return (await this.registry.listFor(this.context.require().tenantId)).map(assistantOf);
  }
}

function matches(assistant: Assistant, query: AssistantSearch): boolean {
  if (query.graph_id !== undefined && assistant.graph_id !== query.graph_id) {
    return false;
  }
  if (query.name !== undefined && !assistant.name.includes(query.name)) {
    return false;
  }
  const wanted = Object.entries(query.metadata ?? {});
  const metadata: Record<string, unknown> = assistant.metadata;
  return wanted.every(([key, value]) => metadata[key] === value);
}

function sortedBy(assistants: Assistant[], query: AssistantSearch): Assistant[] {
  const field = query.sort_by ?? 'name';
  const direction = query.sort_order === 'desc' ? -1 : 1;
  return [...assistants].sort((a, b) => direction * a[field].localeCompare(b[field]));
}

/** `select` trims an assistant to the fields named; unknown names are left out. */
function selected(assistant: Assistant, fields: readonly string[] | undefined): Partial<Assistant> {
  if (fields === undefined) {
    return assistant;
  }
  return Object.fromEntries(Object.entries(assistant).filter(([key]) => fields.includes(key)));
}
