import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { SEAT_HEARTBEAT_MS, SocketSeats } from '@bulkhead/store';
import { RunEventsGateway } from './run-events.gateway';
import { EventsSocket } from './socket-types';

interface KeySeats {
  readonly tenantId: TenantId;
  readonly keyId: string;
  readonly socketIds: string[];
}

/**
 * Renews, every SEAT_HEARTBEAT_MS, the seats this API process's own sockets hold, so that only the
 * seats of a process that stopped renewing (killed, frozen) go stale and drop out. One timer for the
 * process, started at boot and stopped at shutdown; a renewal still under way is not started twice.
 */
@Injectable()
export class SeatRenewal implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly gateway: RunEventsGateway,
    private readonly seats: SocketSeats,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.renewNow(), SEAT_HEARTBEAT_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private renewNow(): void {
    if (this.renewing) return;
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
    await Promise.all(
      groups.map(({ tenantId, keyId, socketIds }) => this.seats.renew(tenantId, keyId, socketIds)),
    );
  }
}

/** This tick's sockets grouped by tenant and key: one script call renews one key's seats. */
function seatsByKey(sockets: Iterable<EventsSocket>): KeySeats[] {
  const groups = new Map<string, KeySeats>();
  for (const socket of sockets) {
    const { tenantId, keyId } = socket.data;
    const name = `${tenantId}/${keyId}`;
    const group = groups.get(name) ?? { tenantId, keyId, socketIds: [] };
    group.socketIds.push(socket.id);
    groups.set(name, group);
  }
  return [...groups.values()];
}
