import { Controller, Get, UseGuards } from '@nestjs/common';
import { AgentRegistry } from '@bulkhead/store';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AgentListing } from './agent-listing';

@Controller('v1/agents')
@UseGuards(ApiKeyGuard)
export class AgentsController {
  constructor(private readonly registry: AgentRegistry) {}

  /** Every agent a worker registered, by name, with how many live workers serve it. */
  @Get()
  async list(): Promise<AgentListing[]> {
    const agents = await this.registry.list();
    return agents.map(({ name, description, inputSchema, workers }) => ({
      name,
      description,
      inputSchema,
      workers,
    }));
  }
}
