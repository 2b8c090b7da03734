import { Controller, Get, UseGuards } from '@nestjs/common';
import { AgentCatalogue, AgentDescription } from '@bulkhead/agents';
import { ApiKeyGuard } from '../auth/api-key.guard';

@Controller('v1/agents')
@UseGuards(ApiKeyGuard)
export class AgentsController {
  constructor(private readonly catalogue: AgentCatalogue) {}

  @Get()
  list(): AgentDescription[] {
    return this.catalogue.describe();
  }
}
