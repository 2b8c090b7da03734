import type { RunEvent } from '@bulkhead/store';
import { Socket, io } from 'socket.io-client';
import { ADMIN_TOKEN } from './bench-platform';

export interface BenchTenant {
  readonly id: string;
  readonly key: string;
}

export type { RunEvent };

const TERMINAL = new Set(['run.succeeded', 'run.failed', 'run.cancelled']);
/** Limits out of the way: the benchmark measures throughput, not the limits. */
const UNLIMITED = {
  maxConcurrentRuns: 10_000,
  maxQueuedRuns: 100_000,
  runsPerMinute: 1_000_000,
  maxStoredRuns: 100_000,
};

async function call(url: string, method: string, token: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(answer)}`);
  }
  return answer;
}

export async function createTenant(url: string, label: string): Promise<BenchTenant> {
  const id = `${label}-${Math.random().toString(36).slice(2, 10)}`;
  await call(`${url}/v1/admin/tenants`, 'POST', ADMIN_TOKEN, { id, limits: UNLIMITED });
  const issued = (await call(`${url}/v1/admin/tenants/${id}/keys`, 'POST', ADMIN_TOKEN)) as {
    key: string;
  };
  return { id, key: issued.key };
}

export async function submitRun(url: string, key: string, body: unknown): Promise<string> {
  return ((await call(`${url}/v1/runs`, 'POST', key, body)) as { id: string }).id;
}

export interface RunTimes {
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

/** Every run of the tenant, following the list's cursor. */
export async function allRuns(url: string, key: string): Promise<RunTimes[]> {
  const runs: RunTimes[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
    const page = (await call(`${url}/v1/runs${query}`, 'GET', key)) as {
      items: RunTimes[];
      nextCursor: string | null;
    };
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return runs;
}

/** An authenticated socket on /events, connected. */
export function connectEvents(url: string, key: string): Promise<Socket> {
  const socket = io(`${url}/events`, {
    auth: { token: key },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Runs of the tenant queued or running now, from the admin API. */
export async function unfinishedRuns(url: string, tenantId: string): Promise<number> {
  const view = (await call(`${url}/v1/admin/tenants/${tenantId}`, 'GET', ADMIN_TOKEN)) as {
    usage: { queued: number; running: number };
  };
  return view.usage.queued + view.usage.running;
}

/** A socket on /events that notes when each event arrived and resolves each run's terminal event. */
export class RunWatcher {
  private readonly waiting = new Map<string, () => void>();
  private readonly finished = new Set<string>();
  readonly arrivals: Array<{ event: RunEvent; at: number }> = [];
  /** When each subscription was acknowledged: events stamped before it arrived by replay, not live. */
  readonly subscribedAt = new Map<string, number>();

  private constructor(private readonly socket: Socket) {
    socket.on('run.event', (event: RunEvent) => {
      this.arrivals.push({ event, at: Date.now() });
      if (!TERMINAL.has(event.type)) {
        return;
      }
      this.finished.add(event.runId);
      this.waiting.get(event.runId)?.();
    });
  }

  static async connect(url: string, key: string): Promise<RunWatcher> {
    return new RunWatcher(await connectEvents(url, key));
  }

  /** Subscribes (replaying what was missed) and resolves on the run's terminal event. */
  async finishedRun(runId: string): Promise<void> {
    const done = new Promise<void>((resolve) => this.waiting.set(runId, resolve));
    const ack = (await this.socket.timeout(30_000).emitWithAck('subscribe', { runId })) as {
      ok: boolean;
    };
    if (!ack.ok) {
      throw new Error(`subscribe ${runId} refused`);
    }
    this.subscribedAt.set(runId, Date.now());
    if (!this.finished.has(runId)) {
      await done;
    }
    this.waiting.delete(runId);
    await this.socket.timeout(30_000).emitWithAck('unsubscribe', { runId });
  }

  close(): void {
    this.socket.close();
  }
}
