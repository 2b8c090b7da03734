import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunEventsGateway } from './run-events.gateway';

/**
 * Redis pub/sub delivers at most once, so a subscription could wait for ever on a notification that
 * was lost. Every SUBSCRIPTION_BACKSTOP_MS this process's subscriptions to runs that have not
 * finished re-read their streams (which costs one read when nothing is new). One timer for the
 * process, started at boot and stopped at shutdown, never one per subscription.
 */
@Injectable()
export class SubscriptionBackstop implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: RunEventsGateway,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => this.gateway.wakeUnfinished(),
      this.config.SUBSCRIPTION_BACKSTOP_MS,
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
