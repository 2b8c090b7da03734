import { BeforeApplicationShutdown, Inject } from '@nestjs/common';
import {
  Ack as AckParam,
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantContext, TenantId } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { ExecutionScopes } from '@bulkhead/registry';
import { ApiKeys, SocketSeats } from '@bulkhead/store';
import { KeyOwners } from '../auth/key-owners';
import { EVENTS_NAMESPACE } from './events-namespace';
import { Appended, RunEventFeed } from './run-event-feed';
import type { RunSubscription } from './run-subscription';
import { socketAuth } from './socket-auth';
import { SocketFlows } from './socket-flows';
import { seatSocket } from './socket-seating';
import { Ack, EventsNamespace, EventsSocket, keyRoom, runRoom } from './socket-types';
import { SocketSubscriptions } from './socket-subscriptions';
import { SubscribeAllowance } from './subscribe-allowance';
import { ackOf } from './socket-ack';

type AckFn = ((answer: Ack) => void) | undefined;

/**
 * The socket door. Each connection gets its own ExecutionRegistry (resolved with a fresh context id),
 * every handler runs inside the connection's tenant context, and a subscription joins a tenant-named
 * room only after the run was found under the socket's own tenant. A connection holds a seat under
 * its key's and tenant's socket caps, a subscribe allowance and a bounded send buffer (SocketFlow),
 * all in its own socket.data.
 */
@WebSocketGateway({ namespace: EVENTS_NAMESPACE })
export class RunEventsGateway
  implements
    OnGatewayInit<EventsNamespace>,
    OnGatewayConnection,
    OnGatewayDisconnect,
    BeforeApplicationShutdown
{
  private namespace: EventsNamespace | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scopes: ExecutionScopes,
    private readonly context: TenantContext,
    private readonly apiKeys: ApiKeys,
    private readonly owners: KeyOwners,
    private readonly subscriptions: SocketSubscriptions,
    private readonly seats: SocketSeats,
    private readonly flows: SocketFlows,
    private readonly feed: RunEventFeed,
    private readonly logger: AppLogger,
  ) {}

  afterInit(namespace: EventsNamespace): void {
    this.namespace = namespace;
    namespace.use(socketAuth(this.owners));
    namespace.use(seatSocket(this.seats));
    this.feed.listen({
      appended: (appended) => this.deliver(appended),
      resumed: () => this.wakeUnfinished(),
    });
  }

  /**
   * The connection's state (its send flow, subscribe allowance and registry promise) is stored before
   * any await, so a message that arrives while the registry resolves finds it and waits for it. The key is checked again after joining its room: a revocation broadcast between the
   * handshake and the join would otherwise miss this socket. A connection that cannot open its scope
   * is dropped, never left half-open.
   */
  async handleConnection(socket: EventsSocket): Promise<void> {
    const { tenantId, keyId } = socket.data;
    socket.data.flow = this.flows.open(socket);
    socket.data.subscribes = new SubscribeAllowance(this.config.SOCKET_SUBSCRIBES_PER_MINUTE);
    socket.data.registry = this.scopes.open(tenantId);
    try {
      await socket.data.registry;
      await socket.join(keyRoom(tenantId, keyId));
      if (!(await this.apiKeys.isLive(tenantId, keyId))) {
        socket.disconnect(true);
      }
    } catch (error) {
      this.logger.error('socket.connection_failed', { tenantId, error: describeError(error) });
      socket.disconnect(true);
    }
  }

  /** Ends the connection's scope and gives its seat back; never rejects (Nest does not await it). */
  async handleDisconnect(socket: EventsSocket): Promise<void> {
    const { tenantId, keyId } = socket.data;
    socket.data.flow.close();
    try {
      const registry = await socket.data.registry.catch(() => undefined);
      await registry?.dispose();
    } catch (error) {
      this.logger.error('socket.dispose_failed', { tenantId, error: describeError(error) });
    }
    // A seat left behind by a failed release drops out once it is not renewed (SEAT_STALE_MS).
    await this.seats.release(tenantId, keyId, socket.id).catch((error: unknown) => {
      this.logger.warn('socket.seat_release_failed', { tenantId, error: describeError(error) });
    });
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: EventsSocket,
    @MessageBody() body: unknown,
    @AckParam() ack: AckFn,
  ): Promise<void> {
    const started = await ackOf(ack, this.logger, () =>
      this.inScope(socket, () => this.subscriptions.subscribe(socket, body)),
    );
    started?.wake();
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: EventsSocket,
    @MessageBody() body: unknown,
    @AckParam() ack: AckFn,
  ): Promise<void> {
    await ackOf(ack, this.logger, () =>
      this.inScope(socket, () => this.subscriptions.unsubscribe(socket, body)),
    );
  }

  /** A run's stream grew: wake this process's subscriptions to it; each reads what it has not sent. */
  private deliver(appended: Appended): void {
    const room = runRoom(appended.tenantId as TenantId, appended.runId);
    const socketIds = this.namespace?.adapter.rooms.get(room);
    if (!socketIds) {
      return;
    }
    for (const socketId of socketIds) {
      const socket = this.namespace?.sockets.get(socketId);
      if (socket?.data.tenantId !== appended.tenantId) {
        continue;
      }
      socket.data.subscriptions.get(appended.runId)?.subscription.wake();
    }
  }

  /**
   * Wakes this process's subscriptions whose run has not finished, to re-read their streams: after
   * the feed's connection came back, and on the backstop interval, since a notification can be lost.
   * One whose terminal event was sent has nothing left to read and is left alone.
   */
  wakeUnfinished(): void {
    for (const socket of this.localSockets()) {
      for (const { subscription } of socket.data.subscriptions.values()) {
        if (!subscription.isFinished) {
          subscription.wake();
        }
      }
    }
  }

  /** This process's subscriptions to runs whose terminal event they have not sent yet. */
  *unfinishedSubscriptions(): Iterable<{
    tenantId: TenantId;
    runId: RunId;
    subscription: RunSubscription;
  }> {
    for (const socket of this.localSockets()) {
      for (const [runId, { subscription }] of socket.data.subscriptions) {
        if (!subscription.isFinished) {
          yield { tenantId: socket.data.tenantId, runId: runId as RunId, subscription };
        }
      }
    }
  }

  /** This process's connected sockets (not the other API processes'). */
  localSockets(): Iterable<EventsSocket> {
    return this.namespace?.sockets.values() ?? [];
  }

  /**
   * Tells this process's sockets why they are being closed, then closes their transports (only this
   * process's: `local`, not through the adapter). socket.io clients then reconnect on their own, to
   * another API process, and resubscribe with `after` = the last event id they saw.
   */
  beforeApplicationShutdown(): void {
    const local = this.namespace?.local;
    this.logger.info('api.closing_sockets', { sockets: this.namespace?.sockets.size ?? 0 });
    local?.emit('server.shutdown', {
      reason: 'This API process is shutting down; reconnect and resubscribe.',
    });
    local?.disconnectSockets(true);
  }

  /** This process's sockets, and its run rooms with their members (for diagnostics). */
  stats(): Record<string, number> {
    const rooms = [...(this.namespace?.adapter.rooms.entries() ?? [])].filter(([name]) =>
      name.includes(':run:'),
    );
    return {
      sockets: this.namespace?.sockets.size ?? 0,
      runRooms: rooms.length,
      runRoomMembers: rooms.reduce((sum, [, members]) => sum + members.size, 0),
    };
  }

  private async inScope<T>(socket: EventsSocket, fn: () => Promise<T>): Promise<T> {
    const { tenantId, keyId, requestId } = socket.data;
    const { id: scopeId } = await socket.data.registry;
    const principal = { kind: 'api-key', keyId } as const;
    return this.context.run({ tenantId, requestId, principal, scopeId }, fn);
  }
}
