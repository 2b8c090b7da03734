import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { NotSubscribedError, SubscriptionLimitError, parseOrThrow } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { EventLog, RunStore } from '@bulkhead/store';
import { RunSubscription } from './run-subscription';
import { EventsSocket, runRoom } from './socket-types';
import { subscribeSchema, unsubscribeSchema } from './subscription.schemas';
import { TooManySubscribesError } from './too-many-subscribes.error';

/**
 * A socket's subscribe and unsubscribe messages, run by the gateway inside the socket's tenant
 * context. Stateless: each subscription lives in the socket's data and is tracked by its registry, so
 * it ends with the socket at the latest. Throws domain errors, which the gateway answers as acks.
 */
@Injectable()
export class SocketSubscriptions {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: RunStore,
    private readonly batches: EventLog,
    private readonly logger: AppLogger,
  ) {}

  /**
   * Subscribing to a run this socket already follows changes nothing, so no event is ever sent twice
   * on one socket. No await separates that check from storing the subscription: concurrent
   * subscribes to one run leave exactly one subscription. Returns the new subscription, for the
   * caller to wake once the client has its ack.
   */
  async subscribe(socket: EventsSocket, body: unknown): Promise<RunSubscription | undefined> {
    const { runId, after } = parseOrThrow(subscribeSchema, body);
    this.spendSubscribe(socket);
    const { tenantId, subscriptions } = socket.data;
    // Only the id is kept: the closures below live as long as the subscription, and the record
    // holds the run's input and output.
    const { id } = await this.runs.get(tenantId, runId);
    const registry = await socket.data.registry;
    if (subscriptions.has(id)) {
      return undefined;
    }
    if (subscriptions.size >= this.config.SOCKET_MAX_SUBSCRIPTIONS) {
      throw new SubscriptionLimitError(this.config.SOCKET_MAX_SUBSCRIPTIONS);
    }
    const { flow } = socket.data;
    const subscription = new RunSubscription(
      flow,
      this.batches,
      tenantId,
      id,
      after ?? 0,
      this.logger,
    );
    const room = runRoom(tenantId, id);
    const release = registry.track(tenantId, async () => {
      subscription.close();
      subscriptions.delete(id);
      await socket.leave(room);
    });
    subscriptions.set(id, { subscription, release });
    await socket.join(room);
    return subscription;
  }

  async unsubscribe(socket: EventsSocket, body: unknown): Promise<void> {
    const { runId } = parseOrThrow(unsubscribeSchema, body);
    const subscribed = socket.data.subscriptions.get(runId);
    if (!subscribed) {
      throw new NotSubscribedError(runId);
    }
    await subscribed.release();
  }

  /**
   * Every well-formed subscribe spends one, whether it starts a subscription or not: each may read a
   * run and replay its whole stream. A malformed one is refused before it costs anything.
   */
  private spendSubscribe(socket: EventsSocket): void {
    const { subscribes } = socket.data;
    if (subscribes.take()) {
      return;
    }
    const perMinute = this.config.SOCKET_SUBSCRIBES_PER_MINUTE;
    throw new TooManySubscribesError(perMinute, subscribes.secondsUntilNext());
  }
}
