import { request as httpRequest } from 'node:http';

export interface EarlyAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * POSTs headers declaring a JSON body of `bytes` and sends none of it, then reads the answer. Fastify
 * answers a body over its limit by its Content-Length at once and closes the connection, as it must:
 * a client still writing then races the close (EPIPE, or a reset that can discard the answer before
 * it is read). With no body bytes in flight there is no race: the answer is what the server said.
 */
export function postDeclaringLength(
  url: string,
  headers: Record<string, string>,
  bytes: number,
): Promise<EarlyAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': bytes },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        req.destroy();
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
