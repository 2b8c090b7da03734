import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantId } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { EventLog } from '@bulkhead/store';
import { RunEventsGateway } from './run-events.gateway';
import type { RunSubscription } from './run-subscription';

/**
 * Redis pub/sub delivers at most once, so a subscription could wait for ever on a notification that
 * was lost. Every SUBSCRIPTION_BACKSTOP_MS this process looks up the last event id of each run its
 * unfinished subscriptions follow (one small read per run, pipelined per tenant, however many
 * sockets follow it) and wakes only the subscriptions that are behind it, so an idle subscription
 * costs nothing but its share of that lookup. One timer for the process, started at boot and
 * stopped at shutdown; a tick still running when the next is due is not overlapped.
 */
@Injectable()
export class SubscriptionBackstop implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: RunEventsGateway,
    private readonly events: EventLog,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.SUBSCRIPTION_BACKSTOP_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Never rejects: a failed lookup is logged and the next tick tries again. */
  private async tick(): Promise<void> {
    if (this.checking) {
      return;
    }
    this.checking = true;
    try {
      await this.wakeThoseBehind();
    } catch (error) {
      this.logger.warn('subscription.backstop_failed', { error: describeError(error) });
    } finally {
      this.checking = false;
    }
  }

  private async wakeThoseBehind(): Promise<void> {
    const byTenant = new Map<TenantId, Map<RunId, RunSubscription[]>>();
    for (const { tenantId, runId, subscription } of this.gateway.unfinishedSubscriptions()) {
      const runs = byTenant.get(tenantId) ?? new Map<RunId, RunSubscription[]>();
      byTenant.set(tenantId, runs);
      const following = runs.get(runId) ?? [];
      runs.set(runId, following);
      following.push(subscription);
    }
    await Promise.all(
      [...byTenant].map(async ([tenantId, runs]) => {
        const last = await this.events.lastIds(tenantId, [...runs.keys()]);
        for (const [runId, subscriptions] of runs) {
          const lastId = last.get(runId) ?? 0;
          for (const subscription of subscriptions) {
            if (subscription.lastSentId < lastId) {
              subscription.wake();
            }
          }
        }
      }),
    );
  }
}
