import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantId, isTenantId } from '@bulkhead/context';
import { MissingTenantContextError } from '@bulkhead/errors';
import { RunStatus } from './run';

/**
 * Every Redis key and channel Bulkhead uses. Tenant keys carry the tenant as a hash tag,
 * `{prefix}:{tenantId}:...`, so one tenant's keys share a cluster slot and its Lua scripts stay legal;
 * a key builder given no valid tenant throws instead of building a key another tenant could own.
 */
@Injectable()
export class RedisKeys {
  readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.REDIS_KEY_PREFIX;
  }

  tenant(tenantId: TenantId): string {
    return `${this.of(tenantId)}:tenant`;
  }

  /** The agents the tenant may use: a JSON array of names; absent, every agent. */
  tenantAgents(tenantId: TenantId): string {
    return `${this.of(tenantId)}:agents-allowed`;
  }

  /** The tenant's LLM providers: a hash of name → provider JSON, its key sealed (SecretBox). */
  providers(tenantId: TenantId): string {
    return `${this.of(tenantId)}:providers`;
  }

  /** One provider's health (ProviderHealth): its breaker, cool-down and refused credentials. */
  providerHealth(tenantId: TenantId, name: string): string {
    return `${this.of(tenantId)}:provider-health:${name}`;
  }

  /** Every tenant's providers hash, for a scan (the secrets re-encrypt command), and its tenant. */
  get providersPattern(): { match: string; tenantOf: (key: string) => TenantId | undefined } {
    const prefix = this.prefix;
    return {
      match: `${prefix}:{*}:providers`,
      tenantOf: (key) => {
        const inner = key.slice(prefix.length + 2, key.length - '}:providers'.length);
        return isTenantId(inner) ? inner : undefined;
      },
    };
  }

  apiKeyLookup(tenantId: TenantId, keyHash: string): string {
    return `${this.of(tenantId)}:apikey:${keyHash}`;
  }

  apiKeys(tenantId: TenantId): string {
    return `${this.of(tenantId)}:apikeys`;
  }

  run(tenantId: TenantId, runId: RunId): string {
    return `${this.of(tenantId)}:run:${runId}`;
  }

  runEvents(tenantId: TenantId, runId: RunId): string {
    return `${this.of(tenantId)}:run:${runId}:events`;
  }

  /** Run ids of a tenant scored by submission order; with a status, only runs in that status. */
  runIndex(tenantId: TenantId, status?: RunStatus): string {
    return status ? `${this.of(tenantId)}:runs:${status}` : `${this.of(tenantId)}:runs`;
  }

  /** The tenant's submission counter: the score of its run indexes. */
  runOrder(tenantId: TenantId): string {
    return `${this.of(tenantId)}:runs-order`;
  }

  /** The tenant's own limits (a hash); a field left unset means the configured default. */
  tenantLimits(tenantId: TenantId): string {
    return `${this.of(tenantId)}:limits`;
  }

  /** Queued runs that found the tenant at maxConcurrentRuns, scored by submission order. */
  parkedRuns(tenantId: TenantId): string {
    return `${this.of(tenantId)}:runs-parked`;
  }

  /** Parked runs woken into a free slot, which they hold until they start (scored by wake time). */
  wokenRuns(tenantId: TenantId): string {
    return `${this.of(tenantId)}:runs-woken`;
  }

  /** One thread of the LangGraph API (AgentThreads): a hash of its fields. */
  thread(tenantId: TenantId, threadId: string): string {
    return `${this.of(tenantId)}:thread:${threadId}`;
  }

  /** The tenant's threads in creation order (scored by threadSequence): what search reads. */
  threadIndex(tenantId: TenantId): string {
    return `${this.of(tenantId)}:threads`;
  }

  /** The tenant's count of threads ever created: each new one's place in the index. */
  threadSequence(tenantId: TenantId): string {
    return `${this.of(tenantId)}:threads:seq`;
  }

  /** A thread's runs in creation order (scored by the thread's runSeq): what runs.list reads. */
  threadRuns(tenantId: TenantId, threadId: string): string {
    return `${this.of(tenantId)}:thread:${threadId}:runs`;
  }

  /** A thread's runs waiting for its current one to end (multitask enqueue, interrupt, rollback). */
  threadWaiting(tenantId: TenantId, threadId: string): string {
    return `${this.of(tenantId)}:thread:${threadId}:waiting`;
  }

  /** The job of each waiting run (and when it was claimed), enqueued when its turn comes. */
  threadJobs(tenantId: TenantId, threadId: string): string {
    return `${this.of(tenantId)}:thread:${threadId}:jobs`;
  }

  /** What the LangGraph API keeps of a run beside its record: thread, stream modes, strategy. */
  agentRun(tenantId: TenantId, runId: RunId): string {
    return `${this.of(tenantId)}:run:${runId}:lg`;
  }

  /** run(tenantId, id) is this followed by the id: lane scripts read the status of runs they name. */
  runKeyPrefix(tenantId: TenantId): string {
    return `${this.of(tenantId)}:run:`;
  }

  /**
   * Threads with runs waiting, as `tenant thread` members: what every API process's lane sweeper
   * advances. Shared by all tenants by design; it holds ids only, at most one per busy thread.
   */
  get waitingLanes(): string {
    return `${this.prefix}:thread-lanes`;
  }

  /** The tenant's LLM tokens per day (TokenUsage): `<day>:input`, `<day>:output`, `<day>:calls`. */
  tokenUsage(tenantId: TenantId): string {
    return `${this.of(tenantId)}:tokens`;
  }

  /** The tenant's submission rate state (GCRA: when its next submission is due). */
  submissionRate(tenantId: TenantId): string {
    return `${this.of(tenantId)}:submission-rate`;
  }

  /** The largest backlog the tenant had since it last had nothing queued: its runs' queue priority. */
  backlogPeak(tenantId: TenantId): string {
    return `${this.of(tenantId)}:backlog-peak`;
  }

  /** An Idempotency-Key's record (the run it created and the request's hash), by the key's hash. */
  idempotency(tenantId: TenantId, keyHash: string): string {
    return `${this.of(tenantId)}:idempotency:${keyHash}`;
  }

  /** The tenant's terminal runs scored by when they finished (ms): what the retention sweep expires. */
  finishedRuns(tenantId: TenantId): string {
    return `${this.of(tenantId)}:runs-finished`;
  }

  /** The tenant's live sockets (socket ids scored by their last heartbeat, ms), over every API. */
  tenantSockets(tenantId: TenantId): string {
    return `${this.of(tenantId)}:sockets`;
  }

  /** The live sockets of one API key, as tenantSockets. */
  keySockets(tenantId: TenantId, keyId: string): string {
    return `${this.of(tenantId)}:sockets:key:${keyId}`;
  }

  /** Live worker processes: a hash of worker id → registration JSON, renewed by each heartbeat. */
  get workers(): string {
    return `${this.prefix}:workers`;
  }

  /** Registered agents: a hash of agent name → manifest JSON (AgentRegistry). */
  get agents(): string {
    return `${this.prefix}:agents`;
  }

  /** Every registered version of one agent: a hash of version → manifest JSON (AgentRegistry). */
  agentVersions(agent: string): string {
    return `${this.prefix}:agent-versions:${agent}`;
  }

  /** Pub/sub: a run's stream grew. Messages carry the tenant; subscribers check it. */
  get runEventsChannel(): string {
    return `${this.prefix}:channel:run-events`;
  }

  /** Pub/sub: a worker joined or left the fleet; every process recounts the live slots at once. */
  get fleetChannel(): string {
    return `${this.prefix}:channel:fleet`;
  }

  /** Pub/sub: an API key was revoked; API processes forget it from their caches. */
  get keyRevocationsChannel(): string {
    return `${this.prefix}:channel:key-revoked`;
  }

  /** Pub/sub: a running run was asked to stop. */
  get cancelChannel(): string {
    return `${this.prefix}:channel:cancel`;
  }

  /** BullMQ's own prefix: queue keys are BullMQ's, shared by all tenants by design. */
  get queuePrefix(): string {
    return `${this.prefix}:queue`;
  }

  /** socket.io adapter and emitter channel prefix, shared by API processes and anything that emits. */
  get socketChannelPrefix(): string {
    return `${this.prefix}:socket.io`;
  }

  private of(tenantId: TenantId): string {
    if (typeof tenantId !== 'string' || !isTenantId(tenantId)) {
      throw new MissingTenantContextError();
    }
    return `${this.prefix}:{${tenantId}}`;
  }
}
