import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppLogger } from '@bulkhead/logging';
import { RedisConnections, RedisKeys } from '@bulkhead/store';
import type { Redis } from 'ioredis';
import { z } from 'zod';

const appendedSchema = z.object({ tenantId: z.string(), runId: z.string(), id: z.number().int() });
export type Appended = z.output<typeof appendedSchema>;
export type AppendedListener = (appended: Appended) => void;

/**
 * This process's one subscription to "a run's stream grew" notifications, published atomically with
 * each append by the run scripts. It carries only ids: subscribers read the events from the stream.
 */
@Injectable()
export class RunEventFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriber: Redis | undefined;
  private readonly listeners = new Set<AppendedListener>();

  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: RedisKeys,
    private readonly logger: AppLogger,
  ) {}

  /** Called once per gateway at init; listeners live as long as the process. */
  listen(listener: AppendedListener): void {
    this.listeners.add(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = this.connections.open('subscriber');
    this.subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
    await this.subscriber.subscribe(this.keys.runEventsChannel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.unsubscribe();
  }

  private dispatch(message: string): void {
    const parsed = appendedSchema.safeParse(parseJson(message));
    if (!parsed.success) {
      this.logger.warn('feed.malformed_notification');
      return;
    }
    for (const listener of this.listeners) listener(parsed.data);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
