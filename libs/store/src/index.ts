export * from './run';
export { newRunId, isRunId } from './run-id';
export { RedisKeys } from './redis-keys';
export { RedisConnections, ConnectionRole } from './redis-connections';
export { REDIS } from './redis-client';
export {
  RunStore,
  NewRun,
  RunPage,
  ListQuery,
  StartOutcome,
  CancelOutcome,
  Outcome,
  IdempotencyClaim,
  Submitted,
  Transition,
  ParkOutcome,
} from './run-store';
export { TenantLimits, TenantLimitValues, TenantLimitsPatch, TenantUsage } from './tenant-limits';
export { EventLog, EVENT_PAGE_MAX_BYTES, EventBatch, BatchBounds, SizedEvent } from './event-log';
export { ApiKeys, IssuedKey, KeyOwner } from './api-keys';
export { TenantDirectory, Tenant, AgentAllowlist } from './tenant-directory';
export { StoreModule } from './store.module';
export { WorkerFleet, ServedAgent } from './worker-fleet';
export { SocketSeats, SeatOutcome, SEAT_HEARTBEAT_MS } from './socket-seats';
export {
  AGENT_NAME_PATTERN,
  AgentRegistry,
  AgentManifest,
  AgentVersions,
  MAX_AGENT_VERSIONS,
  RegisteredAgent,
  MAX_REGISTERED_AGENTS,
  TooManyAgentsError,
} from './agent-registry';
export {
  MAX_PROVIDERS_PER_TENANT,
  PROVIDER_TYPES,
  ProviderCredentials,
  StoredProvider,
  providerKeyContext,
} from './provider-credentials';
export { Admission, CallOutcome, HealthView, ProviderHealth } from './provider-health';
export {
  CallTokens,
  DailyTokens,
  MAX_RUN_USAGE_ENTRIES,
  ModelUsage,
  RunUsage,
  TOKEN_DAYS_KEPT,
  TokenBudget,
  TokenUsage,
} from './token-usage';
export {
  AgentThreads,
  MAX_THREADS_PER_TENANT,
  StoredThread,
  ThreadCreation,
  ThreadDeletion,
  ThreadQuery,
  ThreadState,
  ThreadStatus,
  ThreadWithState,
  valuesOf,
} from './agent-threads';
export {
  AgentRun,
  Advance,
  Claim,
  MAX_LISTED_RUNS_PER_THREAD,
  MAX_WAITING_RUNS_PER_THREAD,
  MULTITASK_STRATEGIES,
  MultitaskStrategy,
  ThreadLanes,
  TurnTaken,
  WaitingLane,
} from './thread-lanes';
