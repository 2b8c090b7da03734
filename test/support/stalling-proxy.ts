import { once } from 'node:events';
import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of an API process whose way back can stop: while stalled it reads nothing
 * from the API, exactly as a client that stops reading its socket, so the API's writes back up
 * through the kernel's buffers into the API process. What the client sends still goes through.
 * One proxy per client under test, so stalling it stalls that client only.
 */
export class StallingProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private stalled = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on a free loopback port and forwards every connection to `target` (an http URL). */
  static async start(target: string): Promise<StallingProxy> {
    const { hostname, port } = new URL(target);
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address() as AddressInfo;
    const proxy = new StallingProxy(server, `http://127.0.0.1:${address.port}`);
    server.on('connection', (client) => proxy.forward(client, hostname, Number(port)));
    return proxy;
  }

  /** Stops reading from the API on every connection of this proxy. */
  stall(): void {
    this.stalled = true;
    for (const { client, upstream } of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  /** Reads from the API again and passes on everything it had held back. */
  resume(): void {
    this.stalled = false;
    for (const { client, upstream } of this.pairs) {
      upstream.pipe(client);
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    if (!this.server.listening) {
      return;
    }
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }

  private forward(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    if (this.stalled) {
      upstream.pause();
    } else {
      upstream.pipe(client);
    }
  }
}
