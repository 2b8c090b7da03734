import { TenantId } from '@bulkhead/context';
import { ErrorBody } from '@bulkhead/errors';
import { ExecutionRegistry, Release } from '@bulkhead/registry';
import { RunEvent } from '@bulkhead/store';
import type { Namespace, Socket } from 'socket.io';
import type { RunSubscription } from './run-subscription';
import type { SocketFlow } from './socket-flow';
import type { SubscribeAllowance } from './subscribe-allowance';

export type Ack = { ok: true } | { ok: false; error: Pick<ErrorBody, 'code' | 'message'> };

export interface ClientToServerEvents {
  subscribe(payload: unknown, ack?: (answer: Ack) => void): void;
  unsubscribe(payload: unknown, ack?: (answer: Ack) => void): void;
}

export interface ServerToClientEvents {
  'run.event': (event: RunEvent) => void;
  'server.shutdown': (notice: { reason: string }) => void;
  /** Sent just before the server drops the socket for a reason of its own; resume with `after`. */
  'server.disconnect': (notice: DisconnectNotice) => void;
}

export interface DisconnectNotice {
  readonly reason: 'slow_consumer';
  readonly message: string;
}

export interface Subscribed {
  readonly subscription: RunSubscription;
  readonly release: Release;
}

/** Per-connection state: it lives and dies with the socket, never in a process-wide map. */
export interface SocketData {
  tenantId: TenantId;
  keyId: string;
  requestId: string;
  registry: Promise<ExecutionRegistry>;
  subscriptions: Map<string, Subscribed>;
  /** What this process holds for the socket, bounded by SOCKET_BUFFER_MAX_BYTES (set on connection). */
  flow: SocketFlow;
  /** The socket's subscribes left this minute (SOCKET_SUBSCRIBES_PER_MINUTE; set on connection). */
  subscribes: SubscribeAllowance;
}

export type EventsSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
export type EventsNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/** Rooms carry the tenant, so a room name of one tenant can never name another tenant's run or key. */
export function runRoom(tenantId: TenantId, runId: string): string {
  return `tenant:${tenantId}:run:${runId}`;
}

export function keyRoom(tenantId: TenantId, keyId: string): string {
  return `tenant:${tenantId}:key:${keyId}`;
}
