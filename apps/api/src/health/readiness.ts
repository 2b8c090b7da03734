import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether this API process should get new traffic. On shutdown it turns not-ready first and keeps
 * serving for SHUTDOWN_DRAIN_MS, so a load balancer polling /readyz moves traffic away before the
 * server closes. One boolean for the whole process: not tenant state.
 */
@Injectable()
export class Readiness implements BeforeApplicationShutdown {
  private stopping = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await sleep(this.config.SHUTDOWN_DRAIN_MS);
  }
}
