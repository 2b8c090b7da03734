import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { REDIS } from './redis-client';
import { RedisKeys } from './redis-keys';
import { TenantId } from '@bulkhead/context';
import { allowlistOf } from './tenant-directory';
import { WorkerFleet } from './worker-fleet';

/** An agent's name: also its queue's (runs.<name>) and its registry entry's. */
export const AGENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** How many agent names the registry holds at most; a registration beyond it is refused. */
export const MAX_REGISTERED_AGENTS = 1_000;

/** The largest manifest (as JSON) registered or read: bounds what the API parses and compiles. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

/**
 * Versions of one agent kept at most: a new one beyond it drops the versions no live worker serves;
 * a registration while this many are live at once is refused, and writes nothing.
 */
export const MAX_AGENT_VERSIONS = 16;

const manifestSchema = z.object({
  name: z.string().regex(AGENT_NAME_PATTERN),
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
  /** The versions live workers serve, with how many serve each: two while a deploy rolls. */
  readonly versions: readonly { readonly version: string; readonly workers: number }[];
}

export class TooManyAgentsError extends Error {
  constructor(reason = `The agent registry holds at most ${MAX_REGISTERED_AGENTS} agents.`) {
    super(reason);
  }
}

/**
 * What a run of an agent is checked against: the manifest registered last (its retries and backoff
 * go with the run), and every version live workers serve now, since any of them may take the run
 * (just the last registered while none is live).
 */
export interface AgentVersions {
  readonly latest: AgentManifest;
  readonly live: readonly AgentManifest[];
}

/**
 * The agents of every worker that ever served them, in Redis: one hash of name → the manifest
 * registered last (what the API lists), and per agent a hash of its versions (what a run's input is
 * checked against while a rolling deploy runs two of them). Which are served now, in which version,
 * comes from the fleet's live registrations. The API holds no agent code.
 */
@Injectable()
export class AgentRegistry {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly fleet: WorkerFleet,
  ) {}

  /**
   * Records the manifests of a starting worker: each as its agent's latest, and among the agent's
   * versions. Refuses new names beyond MAX_REGISTERED_AGENTS.
   */
  async register(manifests: readonly AgentManifest[]): Promise<void> {
    if (manifests.length === 0) {
      return;
    }
    const known = await this.redis.hkeys(this.keys.agents);
    const added = manifests.filter((manifest) => !known.includes(manifest.name)).length;
    if (known.length + added > MAX_REGISTERED_AGENTS) {
      throw new TooManyAgentsError();
    }
    const stored = manifests.map((manifest) => ({ manifest, json: storedManifest(manifest) }));
    // Room first: a registration refused for too many live versions writes nothing.
    await Promise.all(manifests.map((manifest) => this.makeRoomFor(manifest)));
    const pipeline = this.redis.pipeline();
    pipeline.hset(
      this.keys.agents,
      ...stored.flatMap(({ manifest, json }) => [manifest.name, json]),
    );
    for (const { manifest, json } of stored) {
      pipeline.hset(this.keys.agentVersions(manifest.name), manifest.version, json);
    }
    await execOrThrow(pipeline);
  }

  /**
   * At MAX_AGENT_VERSIONS, a new version forgets the versions no live worker serves; refused when
   * that many are live at once.
   */
  private async makeRoomFor({ name, version }: AgentManifest): Promise<void> {
    const key = this.keys.agentVersions(name);
    const versions = await this.redis.hkeys(key);
    if (versions.includes(version) || versions.length < MAX_AGENT_VERSIONS) {
      return;
    }
    const live = this.fleet.liveVersionsOf(name);
    const idle = versions.filter((known) => !live.has(known));
    if (versions.length - idle.length >= MAX_AGENT_VERSIONS) {
      throw new TooManyAgentsError(
        `Agent ${name}: ${MAX_AGENT_VERSIONS} versions are served at once; finish a deploy first.`,
      );
    }
    await this.redis.hdel(key, ...idle);
  }

  /**
   * The agent's versions a run is checked against, or undefined for a name no worker registered or
   * one the tenant may not use: the two answer alike.
   */
  async versionsFor(tenantId: TenantId, name: string): Promise<AgentVersions | undefined> {
    const liveVersions = [...this.fleet.liveVersionsOf(name).keys()];
    // Sent together on one connection: one round trip. Not one transaction: the registry is global
    // and the allowlist the tenant's, keys of different slots on a cluster.
    const [stored, allowed, live] = await Promise.all([
      this.redis.hget(this.keys.agents, name),
      this.redis.get(this.keys.tenantAgents(tenantId)),
      liveVersions.length > 0
        ? this.redis.hmget(this.keys.agentVersions(name), ...liveVersions)
        : Promise.resolve([]),
    ]);
    const allowlist = allowlistOf(allowed);
    const latest = stored === null ? undefined : parseManifest(stored);
    if (!latest || (allowlist && !allowlist.includes(name))) {
      return undefined;
    }
    const liveManifests = live
      .map((json) => (json === null ? undefined : parseManifest(json)))
      .filter((manifest): manifest is AgentManifest => manifest !== undefined);
    return { latest, live: liveManifests.length > 0 ? liveManifests : [latest] };
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
      .map((manifest) => ({
        ...manifest,
        workers: this.fleet.workersServing(manifest.name),
        versions: [...this.fleet.liveVersionsOf(manifest.name)]
          .map(([version, workers]) => ({ version, workers }))
          .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0)),
      }));
  }
}

function storedManifest(manifest: AgentManifest): string {
  const json = JSON.stringify(manifestSchema.parse(manifest));
  if (Buffer.byteLength(json) > MAX_MANIFEST_BYTES) {
    throw new Error(`Agent ${manifest.name}: its manifest is over ${MAX_MANIFEST_BYTES} bytes.`);
  }
  return json;
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
  for (const [error] of (await pipeline.exec()) ?? []) {
    if (error) {
      throw error;
    }
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
