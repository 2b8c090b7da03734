import { Manager, Socket, io } from 'socket.io-client';

/** A socket.io client on any namespace: resolves once connected, rejects with its connect_error. */
export function connectNamespace(url: string, namespace: string, token: unknown): Promise<Socket> {
  const socket = io(`${url}${namespace}`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

export interface BareConnection {
  /** Resolves with how long the server kept the connection open, in ms, once it closed it. */
  readonly closedAfterMs: Promise<number>;
  close(): void;
}

/**
 * An engine.io connection (the transport under socket.io) that never joins any namespace: what a
 * client that only opens a WebSocket and sends nothing costs the server.
 */
export async function bareEngineConnection(url: string): Promise<BareConnection> {
  const manager = new Manager(url, {
    transports: ['websocket'],
    reconnection: false,
    autoConnect: false,
  });
  await new Promise<void>((resolve, reject) =>
    manager.open((error) => (error ? reject(error) : resolve())),
  );
  const openedAt = Date.now();
  const closedAfterMs = new Promise<number>((resolve) =>
    manager.engine.once('close', () => resolve(Date.now() - openedAt)),
  );
  return { closedAfterMs, close: () => manager.engine.close() };
}
