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
import { TenantContext, TenantId } from '@bulkhead/context';
import {
  NotSubscribedError,
  SubscriptionLimitError,
  parseOrThrow,
  describeError,
} from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { ExecutionScopes } from '@bulkhead/registry';
import { ApiKeys, EventLog, RunEvent, RunStore } from '@bulkhead/store';
import { EVENTS_NAMESPACE } from './events-namespace';
import { Appended, RunEventFeed } from './run-event-feed';
import { RunSubscription } from './run-subscription';
import { socketAuth } from './socket-auth';
import { Ack, EventsNamespace, EventsSocket, keyRoom, runRoom } from './socket-types';
import { subscribeSchema, unsubscribeSchema } from './subscription.schemas';
import { ackOf } from './socket-ack';

type AckFn = ((answer: Ack) => void) | undefined;

/**
 * The socket door. Each connection gets its own ExecutionRegistry (resolved with a fresh context id),
 * every handler runs inside the connection's tenant context, and a subscription joins a tenant-named
 * room only after the run was found under the socket's own tenant.
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
    private readonly runs: RunStore,
    private readonly events: EventLog,
    private readonly feed: RunEventFeed,
    private readonly logger: AppLogger,
  ) {}

  afterInit(namespace: EventsNamespace): void {
    this.namespace = namespace;
    namespace.use(socketAuth(this.apiKeys));
    this.feed.listen((appended) => this.deliver(appended));
  }

  /**
   * The registry promise is stored before any await, so a message that arrives while it resolves waits
   * for it. The key is checked again after joining its room: a revocation broadcast between the
   * handshake and the join would otherwise miss this socket. A connection that cannot open its scope
   * is dropped, never left half-open.
   */
  async handleConnection(socket: EventsSocket): Promise<void> {
    const { tenantId, keyId } = socket.data;
    socket.data.registry = this.scopes.open(tenantId);
    try {
      await socket.data.registry;
      await socket.join(keyRoom(tenantId, keyId));
      if (!(await this.apiKeys.isLive(tenantId, keyId))) socket.disconnect(true);
    } catch (error) {
      this.logger.error('socket.connection_failed', { tenantId, error: describeError(error) });
      socket.disconnect(true);
    }
  }

  async handleDisconnect(socket: EventsSocket): Promise<void> {
    const registry = await socket.data.registry.catch(() => undefined);
    await registry?.dispose();
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: EventsSocket,
    @MessageBody() body: unknown,
    @AckParam() ack: AckFn,
  ): Promise<void> {
    const started = await ackOf(ack, this.logger, () =>
      this.inScope(socket, () => this.follow(socket, body)),
    );
    started?.wake();
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: EventsSocket,
    @MessageBody() body: unknown,
    @AckParam() ack: AckFn,
  ): Promise<void> {
    await ackOf(ack, this.logger, () => this.inScope(socket, () => this.unfollow(socket, body)));
  }

  /**
   * Subscribing to a run this socket already follows changes nothing, so no event is ever sent twice
   * on one socket. No await separates that check from storing the subscription: concurrent
   * subscribes to one run leave exactly one subscription.
   */
  private async follow(socket: EventsSocket, body: unknown): Promise<RunSubscription | undefined> {
    const { runId, after } = parseOrThrow(subscribeSchema, body);
    const { tenantId, subscriptions } = socket.data;
    const run = await this.runs.get(tenantId, runId);
    const registry = await socket.data.registry;
    if (subscriptions.has(run.id)) return undefined;
    if (subscriptions.size >= this.config.SOCKET_MAX_SUBSCRIPTIONS) {
      throw new SubscriptionLimitError(this.config.SOCKET_MAX_SUBSCRIPTIONS);
    }
    const deliver = (event: RunEvent) => socket.emit('run.event', event);
    const subscription = new RunSubscription(
      deliver,
      this.events,
      tenantId,
      run.id,
      after ?? 0,
      this.logger,
    );
    const room = runRoom(tenantId, run.id);
    const release = registry.track(tenantId, async () => {
      subscription.close();
      subscriptions.delete(run.id);
      await socket.leave(room);
    });
    subscriptions.set(run.id, { subscription, release });
    await socket.join(room);
    return subscription;
  }

  private async unfollow(socket: EventsSocket, body: unknown): Promise<void> {
    const { runId } = parseOrThrow(unsubscribeSchema, body);
    const subscribed = socket.data.subscriptions.get(runId);
    if (!subscribed) throw new NotSubscribedError(runId);
    await subscribed.release();
  }

  /** A run's stream grew: wake this process's subscriptions to it; each reads what it has not sent. */
  private deliver(appended: Appended): void {
    const room = runRoom(appended.tenantId as TenantId, appended.runId);
    const socketIds = this.namespace?.adapter.rooms.get(room);
    if (!socketIds) return;
    for (const socketId of socketIds) {
      const socket = this.namespace?.sockets.get(socketId);
      if (socket?.data.tenantId !== appended.tenantId) continue;
      socket.data.subscriptions.get(appended.runId)?.subscription.wake();
    }
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
