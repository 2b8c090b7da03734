import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { RedisConnections, RedisKeys } from '@bulkhead/store';
import type { Redis } from 'ioredis';
import { z } from 'zod';

const appendedSchema = z.object({ tenantId: z.string(), runId: z.string(), id: z.number().int() });
export type Appended = z.output<typeof appendedSchema>;

export interface FeedListener {
  /** A run's stream grew. */
  appended(appended: Appended): void;
  /** The subscriber connection came back: any notification published while it was down is lost. */
  resumed(): void;
}

/**
 * This process's one subscription to "a run's stream grew" notifications, published atomically with
 * each append by the run scripts. It carries only ids: subscribers read the events from the stream.
 * Redis pub/sub delivers at most once, so after the subscriber connection drops and comes back the
 * listeners are told, once the channel is subscribed again, to re-read what they follow.
 */
@Injectable()
export class RunEventFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<FeedListener>();

  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly logger: AppLogger,
  ) {}

  /** Called once per gateway at init; listeners live as long as the process. */
  listen(listener: FeedListener): void {
    this.listeners.add(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    const subscriber = this.connections.open('subscriber');
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
    await subscriber.subscribe(this.keys.runEventsChannel);
    // Registered after the first subscription: every later 'ready' is a reconnect.
    subscriber.on('ready', () => this.resubscribe(subscriber));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.unsubscribe();
  }

  /**
   * ioredis subscribes again by itself, but only after emitting 'ready': subscribing here too
   * (SUBSCRIBE is idempotent) and waking the listeners once Redis confirmed means no notification can
   * fall between their re-read and the channel being live again.
   */
  private resubscribe(subscriber: Redis): void {
    subscriber
      .subscribe(this.keys.runEventsChannel)
      .then(() => {
        this.logger.info('feed.resubscribed');
        for (const listener of this.listeners) {
          listener.resumed();
        }
      })
      .catch((error: unknown) => {
        this.logger.warn('feed.resubscribe_failed', { error: describeError(error) });
      });
  }

  private dispatch(message: string): void {
    const parsed = appendedSchema.safeParse(parseJson(message));
    if (!parsed.success) {
      this.logger.warn('feed.malformed_notification');
      return;
    }
    for (const listener of this.listeners) {
      listener.appended(parsed.data);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
