import { SocketSeats } from '@bulkhead/store';
import { SocketUnavailableError } from './socket-auth';
import { SocketSeatRefusedError } from './socket-seat-refused.error';
import { EventsSocket } from './socket-types';

/**
 * socket.io middleware, after socketAuth: takes the socket's seat under SOCKET_MAX_PER_KEY and
 * SOCKET_MAX_PER_TENANT (counted over every API process), so a socket over either cap fails its
 * handshake with a connect_error naming the cap instead of connecting. The gateway gives the seat back
 * when the socket disconnects.
 */
export function seatSocket(seats: SocketSeats) {
  return (socket: EventsSocket, next: (error?: Error) => void): void => {
    const { tenantId, keyId } = socket.data;
    seats.take(tenantId, keyId, socket.id).then(
      (outcome) => {
        if (outcome.taken) {
          return next();
        }
        next(new SocketSeatRefusedError(outcome.refusedBy, outcome.limit));
      },
      () => next(new SocketUnavailableError()),
    );
  };
}
