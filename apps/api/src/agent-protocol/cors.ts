import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** What a browser client of /lg (LangGraph's useStream) sends beyond the simple headers. */
const ALLOWED_HEADERS = Object.freeze([
  'x-api-key',
  'authorization',
  'content-type',
  'last-event-id',
]);
/** What it must read: the run a stream created, where to reconnect, and search paging. */
const EXPOSED_HEADERS = Object.freeze([
  'Content-Location',
  'Location',
  'X-Pagination-Next',
  'X-Pagination-Total',
]);

/**
 * CORS for /lg only, from LG_CORS_ORIGINS (`*` any): keys travel in headers, never in cookies, so no
 * credentials are allowed. Other routes send no CORS headers, as before.
 */
export function enableAgentProtocolCors(
  app: NestFastifyApplication,
  origins: readonly string[],
): void {
  const origin = origins.includes('*') ? '*' : [...origins];
  app.enableCors({
    delegator: (request, callback) => {
      const url = request.url ?? '';
      if (url !== '/lg' && !url.startsWith('/lg/')) {
        callback(null, { origin: false });
        return;
      }
      callback(null, {
        origin,
        methods: ['GET', 'POST', 'DELETE'],
        allowedHeaders: [...ALLOWED_HEADERS],
        exposedHeaders: [...EXPOSED_HEADERS],
        maxAge: 600,
      });
    },
  });
}
