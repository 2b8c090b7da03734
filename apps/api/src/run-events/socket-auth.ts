import type { KeyOwners } from '../auth/key-owners';
import { EventsSocket } from './socket-types';

export class SocketAuthError extends Error {
  readonly data = {
    code: 'unauthorized',
    message: 'Connect with auth: { token: <api key> } using a key that has not been revoked.',
  };

  constructor() {
    super('unauthorized');
  }
}

export class SocketUnavailableError extends Error {
  readonly data = { code: 'unavailable', message: 'Storage is unreachable; reconnect shortly.' };

  constructor() {
    super('unavailable');
  }
}

/**
 * socket.io middleware: a missing or bad key fails the handshake (the client sees connect_error), so
 * an unauthenticated socket never connects. The tenant comes only from the key.
 */
export function socketAuth(owners: Pick<KeyOwners, 'resolve'>) {
  return (socket: EventsSocket, next: (error?: Error) => void): void => {
    const token: unknown = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token.length > 512) {
      next(new SocketAuthError());
      return;
    }
    owners.resolve(token).then(
      (owner) => {
        if (!owner) {
          return next(new SocketAuthError());
        }
        socket.data.tenantId = owner.tenantId;
        socket.data.keyId = owner.keyId;
        socket.data.requestId = socket.id;
        socket.data.subscriptions = new Map();
        next();
      },
      () => next(new SocketUnavailableError()),
    );
  };
}
