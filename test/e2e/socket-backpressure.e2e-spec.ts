import { setTimeout as delay } from 'node:timers/promises';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { inBatches } from '../support/fleet';
import { EventBody, isTerminalEvent, storedEvents, submitRun } from '../support/runs';
import { StallingProxy } from '../support/stalling-proxy';
import { TestTenant, createTenant, tenantView } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const SLOW_CONSUMER_MS = 4_000;
/** SOCKET_BUFFER_MAX_BYTES is left at its default. */
const BUFFER_MAX_BYTES = 1_048_576;
const MiB = 1_048_576;
const STALLED_SOCKETS = 2;
/**
 * How late another tenant's event may arrive meanwhile. Before a stalled socket's bound applies, the
 * API fills the kernel's buffers on its way (on loopback several MB per connection, in ~400 kB
 * events): work of the API's one event loop that other sockets' events queue behind, measured at
 * 0.7–1.1 s with two stalled sockets on this machine kind (1.8–3.1 s with four). It is paid once per connection, and the
 * sockets a tenant may hold are capped (SOCKET_MAX_PER_TENANT); without the bound it never ends.
 */
const BYSTANDER_MAX_LAG_MS = 3_000;
/**
 * Echo runs with a 400 kB input: each stores two events of about 400 kB (agent.output and the output
 * in run.succeeded), written in one step each. 50 of them are 40 MB that two sockets subscribing to
 * all of them ask the API to send twice over: far more than the kernel's socket buffers hold,
 * produced in seconds, where tickers would need minutes of small events.
 */
const RUNS = 50;
const PAYLOAD_CHARS = 400_000;

interface Stalled {
  readonly proxy: StallingProxy;
  readonly client: EventClient;
  readonly notices: unknown[];
  disconnectReason?: string;
}

describe('Socket backpressure: sockets that stop reading', () => {
  const suite = usePlatform({
    apis: 1,
    workers: 1,
    env: {
      SOCKET_SLOW_CONSUMER_MS: String(SLOW_CONSUMER_MS),
      // Large events are the point here: the payload bounds are raised out of the way.
      RUN_INPUT_MAX_BYTES: '1000000',
      EVENT_MAX_BYTES: '1048576',
      RUN_OUTPUT_MAX_BYTES: '1048576',
    },
  });
  const stalled: Stalled[] = [];
  let watcher: EventClient;
  let hoarder: TestTenant;
  let bystander: TestTenant;
  let tickerId: string;
  let baselineHeap: number;
  let subscribedAt: number;
  const heapSamples: number[] = [];
  const bystanderLagsMs: number[] = [];

  const api = () => {
    const [first] = suite.platform.apis;
    if (!first) {
      throw new Error('the platform has no API process');
    }
    return first;
  };
  const slowConsumerLines = () => api().lines.filter((line) => line.msg === 'socket.slow_consumer');

  beforeAll(async () => {
    const url = suite.platform.url;
    [hoarder, bystander] = await Promise.all([
      createTenant(url, 'hoarder'),
      createTenant(url, 'bystander'),
    ]);
    const input = { text: 'x'.repeat(PAYLOAD_CHARS) };
    const runs = await inBatches(range(RUNS), 5, () =>
      submitRun(url, hoarder.key, { agent: 'echo', input }),
    );
    await eventually(
      async () =>
        expect((await tenantView(url, hoarder.id)).usage).toMatchObject({ queued: 0, running: 0 }),
      30_000,
      200,
    );
    for (let i = 0; i < STALLED_SOCKETS; i += 1) {
      stalled.push(await stalledClient(url, hoarder.key));
    }
    watcher = await EventClient.connect(url, bystander.key);
    baselineHeap = (await api().stats()).heapUsed;

    subscribedAt = Date.now();
    for (const { client } of stalled) {
      for (const run of runs) {
        client.socket.emit('subscribe', { runId: run.id });
      }
    }
    watcher.socket.on('run.event', (event: EventBody) =>
      bystanderLagsMs.push(Date.now() - Math.max(Date.parse(event.ts), subscribedAt)),
    );
    const ticker = await submitRun(url, bystander.key, {
      agent: 'ticker',
      input: { steps: 40, intervalMs: 50 },
    });
    tickerId = ticker.id;
    await watcher.subscribe(tickerId);
    const deadline = subscribedAt + SLOW_CONSUMER_MS + 15_000;
    const settled = () =>
      slowConsumerLines().length >= STALLED_SOCKETS &&
      watcher.eventsOf(tickerId).some(isTerminalEvent);
    while (!settled() && Date.now() < deadline) {
      heapSamples.push((await api().stats()).heapUsed);
      await delay(200);
    }
  }, 90_000);

  afterAll(async () => {
    watcher?.close();
    for (const { client, proxy } of stalled) {
      client.close();
      await proxy.close();
    }
  });

  it("should hold the API's heap within the stalled sockets' buffer bound", () => {
    const growth = Math.max(...heapSamples) - baselineHeap;
    const asked = STALLED_SOCKETS * RUNS * 2 * PAYLOAD_CHARS;
    console.log(
      `stalled sockets: the API heap grew at most ${(growth / MiB).toFixed(1)} MiB over ` +
        `${heapSamples.length} samples while ${STALLED_SOCKETS} sockets were sent ` +
        `${(asked / MiB).toFixed(0)} MiB of events`,
    );

    expect(heapSamples.length).toBeGreaterThan(0);
    expect(growth / MiB).toBeLessThan((STALLED_SOCKETS * 3 * BUFFER_MAX_BYTES + 16 * MiB) / MiB);
  });

  it("should deliver another tenant's events promptly meanwhile, complete and in order", async () => {
    const stored = await storedEvents(suite.platform.url, bystander.key, tickerId);

    expect(watcher.eventsOf(tickerId)).toEqual(stored);
    expect(Math.max(...bystanderLagsMs)).toBeLessThan(BYSTANDER_MAX_LAG_MS);
  });

  it('should disconnect each stalled socket as a slow consumer once SOCKET_SLOW_CONSUMER_MS pass without a drain', () => {
    const lines = slowConsumerLines();

    expect(lines).toHaveLength(STALLED_SOCKETS);
    for (const line of lines) {
      expect(line.tenantId).toBe(hoarder.id);
      expect(Number(line.time) - subscribedAt).toBeGreaterThanOrEqual(SLOW_CONSUMER_MS);
      expect(Number(line.time) - subscribedAt).toBeLessThan(SLOW_CONSUMER_MS + 10_000);
    }
  });

  it('should tell a slow consumer why it was dropped, after a gapless prefix of each run it can resume from', async () => {
    stalled.forEach(({ proxy }) => proxy.resume());

    await eventually(
      () => expect(stalled.map((s) => s.disconnectReason)).not.toContain(undefined),
      15_000,
      100,
    );

    for (const { client, notices, disconnectReason } of stalled) {
      expect(disconnectReason).toBe('io server disconnect');
      expect(notices).toEqual([
        { reason: 'slow_consumer', message: expect.any(String) as unknown },
      ]);
      for (const events of client.received.values()) {
        expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
      }
    }
  });
});

/** A hoarder's socket behind a proxy that has stopped reading from the API. */
async function stalledClient(url: string, key: string): Promise<Stalled> {
  const proxy = await StallingProxy.start(url);
  const client = await EventClient.connect(proxy.url, key);
  const entry: Stalled = { proxy, client, notices: [] };
  client.socket.on('server.disconnect', (notice: unknown) => entry.notices.push(notice));
  client.socket.on('disconnect', (reason) => (entry.disconnectReason = reason));
  proxy.stall();
  return entry;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
