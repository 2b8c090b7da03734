import { Controller, Get } from '@nestjs/common';
import { ApiDocument } from './api-document';

/** `GET /openapi.json`: the OpenAPI 3.1 description of the v1 HTTP API (no credentials needed). */
@Controller()
export class OpenApiController {
  constructor(private readonly api: ApiDocument) {}

  @Get('openapi.json')
  get(): Readonly<Record<string, unknown>> {
    return this.api.document;
  }
}
