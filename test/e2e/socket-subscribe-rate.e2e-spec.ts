import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { RunBody, finishedRun, storedEvents, submitRun } from '../support/runs';
import { TestTenant, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

/** Small, so one token comes back only every 12 s: far longer than the tests take. */
const PER_MINUTE = 5;

describe('Subscribe rate: SOCKET_SUBSCRIBES_PER_MINUTE per socket', () => {
  const suite = usePlatform({
    apis: 1,
    workers: 1,
    env: { SOCKET_SUBSCRIBES_PER_MINUTE: String(PER_MINUTE) },
  });
  const clients: EventClient[] = [];
  let tenant: TestTenant;
  let run: RunBody;
  let streamLength: number;

  const connect = async () => {
    const client = await EventClient.connect(suite.platform.url, tenant.key);
    clients.push(client);
    return client;
  };

  /** Subscribes, waits for the whole replay to arrive, unsubscribes: one full replay per cycle. */
  const replayOnce = async (client: EventClient) => {
    const before = client.eventsOf(run.id).length;
    expect(await client.subscribe(run.id)).toEqual({ ok: true });
    await eventually(() => expect(client.eventsOf(run.id).length).toBe(before + streamLength));
    expect(await client.unsubscribe(run.id)).toEqual({ ok: true });
  };

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'storm');
    run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'echo',
      input: { text: 'x'.repeat(20_000) },
    });
    await finishedRun(suite.platform.url, tenant.key, run.id);
    streamLength = (await storedEvents(suite.platform.url, tenant.key, run.id)).length;
  });

  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });

  it('should refuse subscribes beyond SOCKET_SUBSCRIBES_PER_MINUTE with too_many_subscribes and replay nothing for them', async () => {
    const client = await connect();
    for (let i = 0; i < PER_MINUTE; i += 1) {
      await replayOnce(client);
    }

    const refused = await Promise.all(Array.from({ length: 20 }, () => client.subscribe(run.id)));
    await client.send('unsubscribe', { runId: 'run_barrier' });

    for (const ack of refused) {
      expect(ack).toEqual({
        ok: false,
        error: {
          code: 'too_many_subscribes',
          message: expect.stringContaining(`${PER_MINUTE} subscribes per minute`) as unknown,
        },
      });
    }
    expect(client.eventsOf(run.id)).toHaveLength(PER_MINUTE * streamLength);
    expect(client.socket.connected).toBe(true);
  });

  it("should count each socket's subscribes on their own", async () => {
    const stormy = await connect();
    const calm = await connect();
    for (let i = 0; i < PER_MINUTE; i += 1) {
      await replayOnce(stormy);
    }

    const ack = await calm.subscribe(run.id);

    expect(await stormy.subscribe(run.id)).toMatchObject({
      error: { code: 'too_many_subscribes' },
    });
    expect(ack).toEqual({ ok: true });
  });
});
