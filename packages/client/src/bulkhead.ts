import { EventSocket } from './event-socket.js';
import { HttpTransport, normalizeBaseUrl } from './http.js';
import { Runs } from './runs.js';
import type { Agent } from './types.js';

export interface BulkheadOptions {
  /** Where the API listens, e.g. `https://bulkhead.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** A tenant's API key (`bk_<tenantId>_<secret>`); every call acts as that tenant. */
  apiKey: string;
  /** The fetch to use; default `globalThis.fetch`. */
  fetch?: typeof fetch | undefined;
}

export interface Agents {
  /** The agents this platform runs, with the JSON Schema of their input. */
  list(): Promise<Agent[]>;
}

/**
 * The client of one tenant. HTTP calls go through `fetch`; live streams share one socket.io
 * connection, opened by the first stream and closed when the last one ends, or by close().
 * Throws a TypeError for a baseUrl that is not an http(s) URL. Errors are BulkheadErrors, and never
 * contain the API key.
 */
export class Bulkhead {
  readonly agents: Agents;
  readonly runs: Runs;
  private readonly socket: EventSocket;

  constructor(options: BulkheadOptions) {
    const baseUrl = normalizeBaseUrl(options.baseUrl);
    const http = new HttpTransport(baseUrl, options.apiKey, options.fetch);
    this.socket = new EventSocket(baseUrl, options.apiKey);
    this.agents = { list: () => http.request({ method: 'GET', path: '/v1/agents' }) };
    this.runs = new Runs(http, this.socket);
  }

  /** Closes the events socket, if open; streams still open fail with a BulkheadError `closed`. */
  close(): Promise<void> {
    this.socket.close();
    return Promise.resolve();
  }
}
