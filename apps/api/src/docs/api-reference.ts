import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiDocument } from './api-document';

export const API_REFERENCE_PATH = '/docs';

/**
 * The interactive API reference at `/docs`: Swagger UI over this process's OpenAPI document, its
 * scripts and styles served from the package itself, so it works with no network. The online
 * validator badge is off for the same reason.
 */
export async function serveApiReference(app: NestFastifyApplication): Promise<void> {
  const { document } = app.get(ApiDocument);
  await app.register(fastifySwagger, {
    mode: 'static',
    specification: { document: document as never },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: API_REFERENCE_PATH,
    uiConfig: { validatorUrl: null, deepLinking: true },
  });
}
