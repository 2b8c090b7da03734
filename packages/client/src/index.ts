export { Bulkhead } from './bulkhead.js';
export type { Agents, BulkheadOptions } from './bulkhead.js';
export { BulkheadAdmin } from './admin.js';
export type {
  ApiKeys,
  BulkheadAdminOptions,
  CreateTenantBody,
  ProviderBody,
  Providers,
  TenantLimitsPatch,
  TenantPatch,
  Tenants,
} from './admin.js';
export { BulkheadError } from './errors.js';
export type { BulkheadErrorInit, ErrorDetail } from './errors.js';
export type {
  Runs,
  CreateRunOptions,
  ListRunsQuery,
  RunEventsQuery,
  StreamOptions,
} from './runs.js';
export type { WaitOptions } from './run-wait.js';
export { isTerminalStatus } from './types.js';
export type {
  Agent,
  AgentVersion,
  CreateRunBody,
  DailyTokens,
  IssuedKey,
  Provider,
  ProviderType,
  Run,
  RunEvent,
  RunMetadata,
  RunPage,
  RunStatus,
  RunSummary,
  RunUsage,
  Tenant,
  TenantLimits,
} from './types.js';
