import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { Redis, RedisOptions } from 'ioredis';

export type ConnectionRole = 'commands' | 'subscriber' | 'bullmq';

/**
 * Opens every Redis connection of a process, at boot, and closes them all at shutdown. Connections are
 * never opened per request, job or socket. Commands fail fast while Redis is unreachable instead of
 * queueing without bound; BullMQ's connections retry forever, as BullMQ requires.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly opened: Redis[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  open(role: ConnectionRole): Redis {
    const client = new Redis(this.config.REDIS_URL, optionsFor(role));
    this.opened.push(client);
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    const clients = this.opened.splice(0);
    await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
  }
}

function optionsFor(role: ConnectionRole): RedisOptions {
  const common: RedisOptions = { connectTimeout: 2_000, lazyConnect: false };
  if (role === 'bullmq') {
    return { ...common, maxRetriesPerRequest: null, enableReadyCheck: false };
  }
  if (role === 'subscriber') {
    return { ...common, maxRetriesPerRequest: null };
  }
  return { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: true };
}
