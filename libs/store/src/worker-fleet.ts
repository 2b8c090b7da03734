import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { REDIS } from './redis-client';
import { RedisConnections } from './redis-connections';
import { RedisKeys } from './redis-keys';

const registrationSchema = z.object({
  slots: z.number().int().min(0),
  seenAt: z.number(),
  /** The agents the worker serves, each in the version it runs. */
  agents: z.array(z.object({ name: z.string(), version: z.string() })).max(1_000),
});
type Registration = z.output<typeof registrationSchema>;

/** An agent as a worker serves it: its name and the version of its definition. */
export interface ServedAgent {
  readonly name: string;
  readonly version: string;
}

/** A worker that missed this many heartbeats is no longer counted. */
const MISSED_HEARTBEATS = 3;

/**
 * The live fleet of worker processes, as each registers itself in Redis (its slots, renewed every
 * WORKER_HEARTBEAT_MS): what a tenant's fair share of the fleet is computed from. Every process reads
 * the registrations on the same interval and keeps only the total, so the scripts get the share as an
 * argument and touch no key outside the tenant's slot. A worker that dies drops out after three
 * missed heartbeats; until then its slots still count, which errs towards a larger share.
 */
@Injectable()
export class WorkerFleet implements OnApplicationBootstrap, OnApplicationShutdown {
  private ownId: string | undefined;
  private ownSlots = 0;
  private ownAgents: readonly ServedAgent[] = [];
  private liveSlots = 0;
  /** Live workers per agent name and version, as of the last heartbeat. */
  private serving: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map();
  private timer: NodeJS.Timeout | undefined;
  private changes: Redis | undefined;
  /** Set at shutdown, so a beat still in flight cannot register this worker again. */
  private leaving = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: RedisConnections,
  ) {}

  /**
   * A worker process registers its slots before it takes runs, and renews them while it runs. Every
   * process hears that it joined and recounts at once, so no tenant's share lags a heartbeat behind.
   */
  async join(workerId: string, slots: number, agents: readonly ServedAgent[] = []): Promise<void> {
    this.ownId = workerId;
    this.ownSlots = slots;
    this.ownAgents = agents;
    await this.beat();
    await this.redis.publish(this.keys.fleetChannel, workerId);
  }

  /** Slots of every live worker, as of the last heartbeat; 0 while none is registered. */
  get slots(): number {
    return this.liveSlots;
  }

  /** How many live worker processes serve the agent, in any version, as of the last heartbeat. */
  workersServing(agent: string): number {
    let workers = 0;
    for (const count of this.serving.get(agent)?.values() ?? []) {
      workers += count;
    }
    return workers;
  }

  /** The versions of the agent live workers serve, with how many serve each. */
  liveVersionsOf(agent: string): ReadonlyMap<string, number> {
    return this.serving.get(agent) ?? new Map<string, number>();
  }

  /**
   * The most runs one tenant may hold at once on the fleet: TENANT_MAX_FLEET_SHARE of its slots,
   * at least 1; 0 (no cap) while no worker is registered.
   */
  get tenantShare(): number {
    if (this.liveSlots === 0) {
      return 0;
    }
    return Math.max(1, Math.floor(this.liveSlots * this.config.TENANT_MAX_FLEET_SHARE));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.changes = this.connections.open('subscriber');
    this.changes.on('message', () => void this.beat().catch(() => undefined));
    await this.changes.subscribe(this.keys.fleetChannel);
    await this.beat().catch(() => undefined);
    this.timer = setInterval(() => void this.beat().catch(() => undefined), this.heartbeatMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.leaving = true;
    clearInterval(this.timer);
    await this.changes?.unsubscribe().catch(() => undefined);
    if (!this.ownId) {
      return;
    }
    await this.redis.hdel(this.keys.workers, this.ownId).catch(() => undefined);
    await this.redis.publish(this.keys.fleetChannel, this.ownId).catch(() => undefined);
  }

  private get heartbeatMs(): number {
    return this.config.WORKER_HEARTBEAT_MS;
  }

  /** Renews this worker's registration, then recounts the live slots and drops stale entries. */
  private async beat(): Promise<void> {
    // Redis's clock, not this host's: registrations are compared across hosts.
    const [seconds, micros] = await this.redis.time();
    const now = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
    if (this.ownId && !this.leaving) {
      const own: Registration = { slots: this.ownSlots, seenAt: now, agents: [...this.ownAgents] };
      await this.redis.hset(this.keys.workers, this.ownId, JSON.stringify(own));
    }
    const entries = Object.entries(await this.redis.hgetall(this.keys.workers));
    const oldest = now - MISSED_HEARTBEATS * this.heartbeatMs;
    const stale: string[] = [];
    const serving = new Map<string, Map<string, number>>();
    let slots = 0;
    for (const [id, value] of entries) {
      const registration = parseRegistration(value);
      if (!registration || registration.seenAt < oldest) {
        stale.push(id);
        continue;
      }
      slots += registration.slots;
      for (const { name, version } of registration.agents) {
        const versions = serving.get(name) ?? new Map<string, number>();
        versions.set(version, (versions.get(version) ?? 0) + 1);
        serving.set(name, versions);
      }
    }
    if (stale.length > 0) {
      await this.redis.hdel(this.keys.workers, ...stale);
    }
    this.liveSlots = slots;
    this.serving = serving;
  }
}

function parseRegistration(value: string): Registration | undefined {
  try {
    const parsed = registrationSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
