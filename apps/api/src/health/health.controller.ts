import { Controller, Get, Inject } from '@nestjs/common';
import { ServiceUnavailableError } from '@bulkhead/errors';
import { REDIS } from '@bulkhead/store';
import type { Redis } from 'ioredis';
import { Readiness } from './readiness';

const READY_TIMEOUT_MS = 1_000;

@Controller()
export class HealthController {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly readiness: Readiness,
  ) {}

  /** The process is up and serving. */
  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Redis answers within a second and the process is not stopping; otherwise 503 with the reason. */
  @Get('readyz')
  async ready(): Promise<{ status: 'ready' }> {
    if (this.readiness.isStopping) {
      throw new ServiceUnavailableError('Not ready: this process is shutting down.');
    }
    const reason = await this.redisProblem();
    if (reason) {
      throw new ServiceUnavailableError(`Not ready: ${reason}`);
    }
    return { status: 'ready' };
  }

  private async redisProblem(): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`Redis did not answer within ${READY_TIMEOUT_MS} ms.`),
        READY_TIMEOUT_MS,
      );
    });
    const ping = this.redis.ping().then(
      () => undefined,
      (error: unknown) =>
        `Redis is unreachable (${error instanceof Error ? error.message : String(error)}).`,
    );
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
