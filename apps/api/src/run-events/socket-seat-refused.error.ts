/**
 * The handshake's answer when the socket's API key or tenant already holds as many live sockets as it
 * may (over every API process): the client gets connect_error with this message and `data.code`.
 */
export class SocketSeatRefusedError extends Error {
  readonly data: { readonly code: string; readonly message: string };

  constructor(refusedBy: 'key' | 'tenant', limit: number) {
    const message =
      refusedBy === 'key'
        ? `This API key already has ${limit} live sockets, the most SOCKET_MAX_PER_KEY allows; ` +
          'close one of them (or use another key) and connect again.'
        : `This tenant already has ${limit} live sockets over all its API keys, the most ` +
          'SOCKET_MAX_PER_TENANT allows; close one of them and connect again.';
    super(message);
    const code = refusedBy === 'key' ? 'too_many_sockets_per_key' : 'too_many_sockets_per_tenant';
    this.data = { code, message };
  }
}
