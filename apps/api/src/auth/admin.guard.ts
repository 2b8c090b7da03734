import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { UnauthorizedError } from '@bulkhead/errors';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerTokenOf } from './authenticated-request';

/** Admin routes: "Authorization: Bearer <BULKHEAD_ADMIN_TOKEN>", compared in constant time. */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.BULKHEAD_ADMIN_TOKEN === undefined) {
      throw new Error('The API needs BULKHEAD_ADMIN_TOKEN (parseConfig requires it).');
    }
    this.expected = digest(config.BULKHEAD_ADMIN_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    if (!token || !timingSafeEqual(digest(token), this.expected)) {
      throw new UnauthorizedError(
        'Admin routes need "Authorization: Bearer <BULKHEAD_ADMIN_TOKEN>".',
      );
    }
    return true;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
