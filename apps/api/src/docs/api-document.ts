import { Injectable } from '@nestjs/common';
import { AgentCatalogue } from '@bulkhead/agents';
import { openApiDocument } from './openapi';

/** The OpenAPI document of this process, built once at boot from the schemas and the agent catalogue. */
@Injectable()
export class ApiDocument {
  readonly document: Readonly<Record<string, unknown>>;

  constructor(catalogue: AgentCatalogue) {
    this.document = openApiDocument(catalogue.describe().map((agent) => agent.name));
  }
}
