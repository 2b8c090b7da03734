import { once } from 'node:events';
import { AddressInfo, createServer } from 'node:net';

/** The URL of a port on 127.0.0.1 that was free a moment ago and has nothing listening now. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}
