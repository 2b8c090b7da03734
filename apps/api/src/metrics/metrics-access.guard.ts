import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { UnauthorizedError } from '@bulkhead/errors';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';

const LOOPBACK = Object.freeze(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * GET /metrics: with METRICS_AUTH=admin-token (the default) the admin token, as every admin route;
 * with METRICS_AUTH=localhost no token, but only from a loopback address (a scraper beside it).
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(
    private readonly admin: AdminGuard,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.config.METRICS_AUTH === 'admin-token') {
      return this.admin.canActivate(context);
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!LOOPBACK.includes(request.socket.remoteAddress ?? '')) {
      throw new UnauthorizedError(
        'METRICS_AUTH=localhost: /metrics answers only a scraper on this machine (127.0.0.1 or ::1).',
      );
    }
    return true;
  }
}
