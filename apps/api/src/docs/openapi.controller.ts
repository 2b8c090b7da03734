import { Controller, Get } from '@nestjs/common';
import { AgentCatalogue } from '@bulkhead/agents';
import { openApiDocument } from './openapi';

/** The OpenAPI 3.1 description of the v1 HTTP API, built from the same zod schemas that validate it. */
@Controller('docs')
export class DocsController {
  private readonly document: unknown;

  constructor(catalogue: AgentCatalogue) {
    this.document = openApiDocument(catalogue.describe().map((agent) => agent.name));
  }

  @Get()
  get(): unknown {
    return this.document;
  }
}
