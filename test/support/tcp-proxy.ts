import { once } from 'node:events';
import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1, port 0, in front of one local port: the tests cut every connection
 * through it to drop a client's socket mid-run, and point it at another port when the server behind
 * it is replaced. A connection whose upstream cannot be reached is closed, as a refused one would be.
 */
export class TcpProxy {
  private readonly open = new Set<Socket>();
  private accepted = 0;

  private constructor(
    private readonly server: Server,
    private targetPort: number,
  ) {
    server.on('connection', (client) => this.pipe(client));
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, targetPort);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Client connections accepted so far. */
  get connectionsAccepted(): number {
    return this.accepted;
  }

  /** New connections go to this port; open ones stay where they are. */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** Destroys every open connection, both sides, as a network failure would. */
  cutAll(): void {
    for (const socket of this.open) {
      socket.destroy();
    }
  }

  async close(): Promise<void> {
    this.cutAll();
    this.server.close();
    await once(this.server, 'close');
  }

  private pipe(client: Socket): void {
    this.accepted += 1;
    const upstream = connect(this.targetPort, '127.0.0.1');
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.open.add(socket);
      socket.pipe(peer);
      socket.on('error', () => peer.destroy());
      socket.on('close', () => {
        this.open.delete(socket);
        peer.destroy();
      });
    }
  }
}

/** The port of a URL such as `http://127.0.0.1:4000`. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}
