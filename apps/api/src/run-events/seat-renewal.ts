import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { ApiKeys, SEAT_HEARTBEAT_MS, SocketSeats } from '@bulkhead/store';
import { KeyOwners } from '../auth/key-owners';
import { RunEventsGateway } from './run-events.gateway';
import { EventsSocket } from './socket-types';

interface KeySeats {
  readonly tenantId: TenantId;
  readonly keyId: string;
  readonly sockets: EventsSocket[];
}

/**
 * Renews, every SEAT_HEARTBEAT_MS, the seats this API process's own sockets hold, so that only the
 * seats of a process that stopped renewing (killed, frozen) go stale and drop out. On the same beat it
 * checks that each key is still live and disconnects the sockets of a revoked one: the revocation's
 * broadcast is at most once, and this is its backstop (at most SEAT_HEARTBEAT_MS late). One timer for
 * the process, started at boot and stopped at shutdown; a renewal under way is not started twice.
 */
@Injectable()
export class SeatRenewal implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly gateway: RunEventsGateway,
    private readonly seats: SocketSeats,
    private readonly apiKeys: ApiKeys,
    private readonly owners: KeyOwners,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.renewNow(), SEAT_HEARTBEAT_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private renewNow(): void {
    if (this.renewing) {
      return;
    }
    this.renewing = true;
    this.renewAll()
      .catch((error: unknown) => {
        this.logger.warn('socket.seat_renewal_failed', { error: describeError(error) });
      })
      .finally(() => {
        this.renewing = false;
      });
  }

  private async renewAll(): Promise<void> {
    const groups = seatsByKey(this.gateway.localSockets());
    await Promise.all(groups.map((group) => this.renewKey(group)));
  }

  private async renewKey({ tenantId, keyId, sockets }: KeySeats): Promise<void> {
    if (!(await this.apiKeys.isLive(tenantId, keyId))) {
      this.logger.info('socket.key_revoked', { tenantId, sockets: sockets.length });
      this.owners.forget(tenantId, keyId);
      for (const socket of sockets) {
        socket.disconnect(true);
      }
      return;
    }
    await this.seats.renew(
      tenantId,
      keyId,
      sockets.map((socket) => socket.id),
    );
  }
}

/** This tick's sockets grouped by tenant and key: one script call renews one key's seats. */
function seatsByKey(sockets: Iterable<EventsSocket>): KeySeats[] {
  const groups = new Map<string, KeySeats>();
  for (const socket of sockets) {
    const { tenantId, keyId } = socket.data;
    const name = `${tenantId}/${keyId}`;
    const group = groups.get(name) ?? { tenantId, keyId, sockets: [] };
    group.sockets.push(socket);
    groups.set(name, group);
  }
  return [...groups.values()];
}
