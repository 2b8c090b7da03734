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
} from './run-store';
export { EventLog } from './event-log';
export { ApiKeys, IssuedKey, KeyOwner } from './api-keys';
export { TenantDirectory, Tenant, TenantLimitsSetting } from './tenant-directory';
export { StoreModule } from './store.module';
