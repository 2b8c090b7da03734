import type { Redis } from 'ioredis';
import { setTimeout as delay } from 'node:timers/promises';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { RunBody, storedEvents, submitRun } from '../support/runs';
import { TestTenant, createTenant, tenantView } from '../support/tenants';
import { usePlatformOnOwnRedis } from '../support/use-own-redis-platform';

const BACKSTOP_MS = 1_000;
const TENANTS = 8;
const SOCKETS_PER_TENANT = 3;
const RUNS_PER_TENANT = 3;
const KILL_EVERY_MS = 100;

interface Watched {
  readonly tenant: TestTenant;
  readonly sockets: EventClient[];
  readonly runs: RunBody[];
}

/**
 * Redis pub/sub delivers at most once: a notification published while a subscriber connection is
 * down is gone. Here every pub/sub connection of the platform (the API processes' feeds) is killed
 * every 100 ms from before the runs start until after the last of them ended, so notifications of
 * every kind are lost, the last events' among them.
 */
describe('Lost pub/sub notifications', () => {
  const suite = usePlatformOnOwnRedis({
    apis: 2,
    workers: 1,
    env: { SUBSCRIPTION_BACKSTOP_MS: String(BACKSTOP_MS) },
  });
  const watched: Watched[] = [];

  afterAll(() => {
    watched.forEach(({ sockets }) => sockets.forEach((socket) => socket.close()));
  });

  it('should still deliver every event of every run to every socket, in order, ending with run.succeeded', async () => {
    const { platform } = suite;
    for (let t = 0; t < TENANTS; t += 1) {
      const tenant = await createTenant(platform.url, 'lossy');
      const sockets = await Promise.all(
        Array.from({ length: SOCKETS_PER_TENANT }, (_, s) =>
          EventClient.connect(platform.urls[(t + s) % platform.urls.length] ?? '', tenant.key),
        ),
      );
      watched.push({ tenant, sockets, runs: [] });
    }
    const killer = new PubSubKiller(suite.redis);

    await killer.during(async () => {
      await Promise.all(watched.map((entry) => submitAndFollow(platform.url, entry)));
      await eventually(() => allFinished(platform.url, watched), 30_000, 50);
    });
    await eventually(() => expect(stalledSubscriptions(watched)).toEqual([]), BACKSTOP_MS * 5, 50);

    expect(killer.killed).toBeGreaterThan(20);
    for (const { tenant, sockets, runs } of watched) {
      for (const run of runs) {
        const stored = await storedEvents(platform.url, tenant.key, run.id);
        expect(stored.at(-1)?.type).toBe('run.succeeded');
        for (const socket of sockets) {
          expect(socket.eventsOf(run.id)).toEqual(stored);
        }
      }
    }
  }, 90_000);
});

async function submitAndFollow(url: string, entry: Watched): Promise<void> {
  for (let r = 0; r < RUNS_PER_TENANT; r += 1) {
    const run = await submitRun(url, entry.tenant.key, {
      agent: 'ticker',
      input: { steps: 15, intervalMs: 40 },
    });
    entry.runs.push(run);
    const acks = await Promise.all(entry.sockets.map((socket) => socket.subscribe(run.id)));
    if (!acks.every((ack) => ack.ok)) {
      throw new Error(`could not follow ${run.id}`);
    }
  }
}

async function allFinished(url: string, entries: Watched[]): Promise<void> {
  for (const { tenant } of entries) {
    const { usage } = await tenantView(url, tenant.id);
    expect(usage).toMatchObject({ queued: 0, running: 0 });
  }
}

/** "socket i of tenant t has no terminal event of run r" for every subscription still waiting. */
function stalledSubscriptions(entries: Watched[]): string[] {
  return entries.flatMap(({ tenant, sockets, runs }) =>
    sockets.flatMap((socket, s) =>
      runs
        .filter((run) => socket.eventsOf(run.id).at(-1)?.type !== 'run.succeeded')
        .map((run) => `${tenant.id} socket ${s}: ${run.id}`),
    ),
  );
}

/** Sends CLIENT KILL TYPE pubsub every KILL_EVERY_MS, counting the connections it killed. */
class PubSubKiller {
  killed = 0;
  private stopped = false;

  constructor(private readonly redis: Redis) {}

  /** Keeps killing while `work` runs, and stops (and waits for the last kill) once it ends. */
  async during(work: () => Promise<void>): Promise<void> {
    // Boxed, so that what the killer rejected with is rethrown as it is, whatever its type.
    let failure: { error: unknown } | undefined;
    const killing = this.killUntilStopped().catch((error: unknown) => {
      failure = { error };
    });
    try {
      await work();
    } finally {
      this.stopped = true;
      await killing;
    }
    if (failure !== undefined) {
      throw failure.error;
    }
  }

  private async killUntilStopped(): Promise<void> {
    while (!this.stopped) {
      this.killed += Number(await this.redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
      await delay(KILL_EVERY_MS);
    }
  }
}
