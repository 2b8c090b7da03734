import { request as httpRequest } from 'node:http';

export interface EarlyAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * POSTs a JSON body the server may answer before reading it all. Fastify answers an oversized body
 * (by its Content-Length) at once and closes the connection, as it must, since the client may send
 * more; a client still writing then sees EPIPE or ECONNRESET, which supertest reports as the test's
 * failure, depending on timing. A client that reads the answer while it writes (as curl does) sees
 * the 413: that is what this helper checks, and a write error counts only if no answer came.
 */
export function postReadingEarlyAnswer(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<EarlyAnswer> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': payload.length },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', (error) => {
      // An answer may still be on its way: give it the time a local socket needs to deliver it.
      setTimeout(() => reject(error), 1_000).unref();
    });
    req.end(payload);
  });
}
