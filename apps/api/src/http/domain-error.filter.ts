import { describeError } from '@bulkhead/errors';
import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { AppLogger } from '@bulkhead/logging';
import type { FastifyReply } from 'fastify';
import { errorResponseOf } from './error-response';

/** The single HTTP exception filter: every error leaves as JSON through errorResponseOf. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: AppLogger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      return;
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { body, internal, retryAfterSeconds } = errorResponseOf(error);
    if (internal) {
      this.logger.error('http.failed', { error: describeError(error) });
    }
    if (retryAfterSeconds !== undefined) {
      void reply.header('Retry-After', String(retryAfterSeconds));
    }
    void reply.status(body.statusCode).send(body);
  }
}
