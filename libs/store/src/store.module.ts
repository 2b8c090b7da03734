import { Global, Module } from '@nestjs/common';
import { ApiKeys } from './api-keys';
import { EventLog } from './event-log';
import { REDIS, commandConnection } from './redis-client';
import { RedisConnections } from './redis-connections';
import { RedisKeys } from './redis-keys';
import { RunStore } from './run-store';
import { TenantDirectory } from './tenant-directory';
import { SocketSeats } from './socket-seats';
import { TenantLimits } from './tenant-limits';
import { WorkerFleet } from './worker-fleet';
import { AgentRegistry } from './agent-registry';
import { ProviderCredentials } from './provider-credentials';
import { ProviderHealth } from './provider-health';
import { TokenUsage } from './token-usage';
import { AgentThreads } from './agent-threads';
import { ThreadLanes } from './thread-lanes';

@Global()
@Module({
  providers: [
    RedisConnections,
    RedisKeys,
    { provide: REDIS, useFactory: commandConnection, inject: [RedisConnections] },
    RunStore,
    EventLog,
    ApiKeys,
    TenantDirectory,
    TenantLimits,
    WorkerFleet,
    AgentRegistry,
    SocketSeats,
    ProviderCredentials,
    ProviderHealth,
    TokenUsage,
    AgentThreads,
    ThreadLanes,
  ],
  exports: [
    RedisConnections,
    RedisKeys,
    REDIS,
    RunStore,
    EventLog,
    ApiKeys,
    TenantDirectory,
    TenantLimits,
    WorkerFleet,
    AgentRegistry,
    SocketSeats,
    ProviderCredentials,
    ProviderHealth,
    TokenUsage,
    AgentThreads,
    ThreadLanes,
  ],
})
export class StoreModule {}
