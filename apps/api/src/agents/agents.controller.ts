import { Controller, Get, UseGuards } from '@nestjs/common';
import { TenantContext } from '@bulkhead/context';
import { AgentRegistry } from '@bulkhead/store';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AgentListing } from './agent-listing';

@Controller('v1/agents')
@UseGuards(ApiKeyGuard)
export class AgentsController {
  constructor(
    private readonly registry: AgentRegistry,
    private readonly context: TenantContext,
  ) {}

  /** Every agent a worker registered that this tenant may use, by name, with its live workers. */
  @Get()
  async list(): Promise<AgentListing[]> {
    const agents = await this.registry.listFor(this.context.require().tenantId);
    return agents.map(({ name, description, inputSchema, version, workers, versions }) => ({
      name,
      description,
      inputSchema,
      version,
      workers,
      versions,
    }));
  }
}
