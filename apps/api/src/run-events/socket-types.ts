import { TenantId } from '@bulkhead/context';
import { ErrorBody } from '@bulkhead/errors';
import { ExecutionRegistry, Release } from '@bulkhead/registry';
import { RunEvent } from '@bulkhead/store';
import type { Namespace, Socket } from 'socket.io';
import type { RunSubscription } from './run-subscription';

export type Ack = { ok: true } | { ok: false; error: Pick<ErrorBody, 'code' | 'message'> };

export interface ClientToServerEvents {
  subscribe(payload: unknown, ack?: (answer: Ack) => void): void;
  unsubscribe(payload: unknown, ack?: (answer: Ack) => void): void;
}

export interface ServerToClientEvents {
  'run.event': (event: RunEvent) => void;
  'server.shutdown': (notice: { reason: string }) => void;
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
