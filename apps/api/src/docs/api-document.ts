import { Injectable } from '@nestjs/common';
import { openApiDocument } from './openapi';

/** The OpenAPI document of this process, built once at boot from the schemas. */
@Injectable()
export class ApiDocument {
  readonly document: Readonly<Record<string, unknown>>;

  constructor() {
    this.document = openApiDocument();
  }
}
