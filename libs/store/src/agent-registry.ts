import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';
import { TenantId } from '@bulkhead/context';
import { allowlistOf } from './tenant-directory';
import { WorkerFleet } from './worker-fleet';

/** How many agent names the registry holds at most; a registration beyond it is refused. */
export const MAX_REGISTERED_AGENTS = 1_000;

/** The largest manifest (as JSON) registered or read: bounds what the API parses and compiles. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

const manifestSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
  description: z.string().max(2_000),
  inputSchema: z.record(z.string(), z.unknown()),
  retries: z.number().int().min(0).max(100),
  backoff: z.object({ type: z.enum(['fixed', 'exponential']), delayMs: z.number().int().min(0) }),
  timeoutMs: z.number().int().min(1).optional(),
  version: z.string().regex(/^[0-9a-f]{16}$/),
});

/** What a worker registers for each agent it serves: everything the API needs without its code. */
export type AgentManifest = z.output<typeof manifestSchema>;

/** A registered agent with the live worker processes serving it now (0: runs wait for one). */
export interface RegisteredAgent extends AgentManifest {
  readonly workers: number;
}

export class TooManyAgentsError extends Error {
  constructor() {
    super(`The agent registry holds at most ${MAX_REGISTERED_AGENTS} agents.`);
  }
}

/**
 * The agents of every worker that ever served them, in Redis (one hash: name → manifest JSON, the
 * last registered wins): what the API lists and, later, validates input against, with no agent code
 * of its own. Which of them are served now comes from the fleet's live registrations.
 */
@Injectable()
export class AgentRegistry {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly fleet: WorkerFleet,
  ) {}

  /** Records the manifests of a starting worker; refuses new names beyond MAX_REGISTERED_AGENTS. */
  async register(manifests: readonly AgentManifest[]): Promise<void> {
    if (manifests.length === 0) {
      return;
    }
    const known = await this.redis.hkeys(this.keys.agents);
    const added = manifests.filter((manifest) => !known.includes(manifest.name)).length;
    if (known.length + added > MAX_REGISTERED_AGENTS) {
      throw new TooManyAgentsError();
    }
    const fields = manifests.flatMap((manifest) => {
      const json = JSON.stringify(manifestSchema.parse(manifest));
      if (Buffer.byteLength(json) > MAX_MANIFEST_BYTES) {
        throw new Error(
          `Agent ${manifest.name}: its manifest is over ${MAX_MANIFEST_BYTES} bytes.`,
        );
      }
      return [manifest.name, json];
    });
    await this.redis.hset(this.keys.agents, ...fields);
  }

  /**
   * The agent's manifest as registered last, or undefined for a name no worker registered or one
   * the tenant may not use: the two answer alike.
   */
  async findFor(tenantId: TenantId, name: string): Promise<AgentManifest | undefined> {
    // Sent together on one connection: one round trip. Not one transaction: the registry is global
    // and the allowlist the tenant's, keys of different slots on a cluster.
    const [stored, allowed] = await Promise.all([
      this.redis.hget(this.keys.agents, name),
      this.redis.get(this.keys.tenantAgents(tenantId)),
    ]);
    const allowlist = allowlistOf(allowed);
    if (stored === null || (allowlist && !allowlist.includes(name))) {
      return undefined;
    }
    return parseManifest(stored);
  }

  /** The registered agents the tenant may use, by name, with how many live workers serve each. */
  async listFor(tenantId: TenantId): Promise<RegisteredAgent[]> {
    const [stored, allowed] = await Promise.all([
      this.redis.hgetall(this.keys.agents),
      this.redis.get(this.keys.tenantAgents(tenantId)),
    ]);
    const allowlist = allowlistOf(allowed);
    return Object.values(stored)
      .map(parseManifest)
      .filter((manifest): manifest is AgentManifest => manifest !== undefined)
      .filter((manifest) => !allowlist || allowlist.includes(manifest.name))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((manifest) => ({ ...manifest, workers: this.fleet.workersServing(manifest.name) }));
  }
}

function parseManifest(value: string): AgentManifest | undefined {
  if (value.length > MAX_MANIFEST_BYTES) {
    return undefined;
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
