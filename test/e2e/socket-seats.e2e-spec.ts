import request from 'supertest';
import { bodyOf } from '../support/answers';
import { BareConnection, bareEngineConnection, connectNamespace } from '../support/bare-sockets';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { IssuedKey, admin, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const PER_KEY = 3;
const PER_TENANT = 5;
/** socket.io's connectTimeout as the API sets it; a bare connection must be gone soon after. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Seats are renewed every 10 s and dropped after three missed renewals. */
const STALE_SEAT_MS = 30_000;

describe('Socket seats: live sockets per API key and per tenant, across API processes', () => {
  const suite = usePlatform({
    apis: 2,
    workers: 0,
    env: { SOCKET_MAX_PER_KEY: String(PER_KEY), SOCKET_MAX_PER_TENANT: String(PER_TENANT) },
  });
  const opened: Array<{ close(): void }> = [];
  let api1: string;
  let api2: string;

  /** Connects on /events; a socket that got in is closed after the test, whatever it asserts. */
  const attempt = async (url: string, key: string): Promise<EventClient> => {
    const client = await EventClient.connect(url, key);
    opened.push(client);
    return client;
  };

  /** The connect_error a socket got, or "connected" when it got in. */
  const refusalOf = (url: string, key: string): Promise<unknown> =>
    attempt(url, key).then(
      () => 'connected',
      (error: unknown) => error,
    );

  const secondKey = async (tenantId: string): Promise<string> => {
    const issued = await request(api1).post(`/v1/admin/tenants/${tenantId}/keys`).set(admin);
    return bodyOf<IssuedKey>(issued).key;
  };

  beforeAll(() => {
    [api1, api2] = suite.platform.urls as [string, string];
  });

  afterEach(() => {
    opened.splice(0).forEach((socket) => socket.close());
  });

  it('should refuse a socket beyond SOCKET_MAX_PER_KEY on either API process, naming the limit', async () => {
    const tenant = await createTenant(api1, 'perkey');
    for (const url of [api1, api2, api1]) {
      await attempt(url, tenant.key);
    }

    const onApi1 = await refusalOf(api1, tenant.key);
    const onApi2 = await refusalOf(api2, tenant.key);

    for (const refused of [onApi1, onApi2]) {
      expect(refused).toMatchObject({
        message: expect.stringContaining(`${PER_KEY} live sockets`) as unknown,
        data: {
          code: 'too_many_sockets_per_key',
          message: expect.stringContaining('SOCKET_MAX_PER_KEY') as unknown,
        },
      });
    }
  });

  it("should let another key of the tenant add sockets up to SOCKET_MAX_PER_TENANT, then refuse with the tenant's code", async () => {
    const tenant = await createTenant(api1, 'pertenant');
    const other = await secondKey(tenant.id);
    for (const url of [api1, api2, api1]) {
      await attempt(url, tenant.key);
    }

    const admitted = [await attempt(api2, other), await attempt(api1, other)];
    const refused = await refusalOf(api2, other);

    expect(admitted.every((client) => client.socket.connected)).toBe(true);
    expect(refused).toMatchObject({
      message: expect.stringContaining(`${PER_TENANT} live sockets`) as unknown,
      data: {
        code: 'too_many_sockets_per_tenant',
        message: expect.stringContaining('SOCKET_MAX_PER_TENANT') as unknown,
      },
    });
  });

  it('should give the seat of a socket that disconnects to the next socket', async () => {
    const tenant = await createTenant(api1, 'freed');
    const first = await attempt(api1, tenant.key);
    await attempt(api2, tenant.key);
    await attempt(api2, tenant.key);
    expect(await refusalOf(api1, tenant.key)).toMatchObject({
      data: { code: 'too_many_sockets_per_key' },
    });

    first.close();
    const next = await eventually(() => attempt(api2, tenant.key), 5_000, 100);

    expect(next.socket.connected).toBe(true);
  });

  it("should not count one tenant's sockets against another tenant", async () => {
    const [full, other] = await Promise.all([
      createTenant(api1, 'full'),
      createTenant(api1, 'neighbour'),
    ]);
    for (const url of [api1, api2, api1]) {
      await attempt(url, full.key);
    }

    const neighbours = [
      await attempt(api1, other.key),
      await attempt(api2, other.key),
      await attempt(api1, other.key),
    ];

    expect(neighbours.every((client) => client.socket.connected)).toBe(true);
    expect(await refusalOf(api2, full.key)).toMatchObject({
      data: { code: 'too_many_sockets_per_key' },
    });
  });

  it('should refuse the default namespace / even with a valid key, telling the client to use /events', async () => {
    const tenant = await createTenant(api1, 'rootns');

    const refused = await connectNamespace(api1, '/', tenant.key).then(
      (socket) => {
        opened.push(socket);
        return 'connected';
      },
      (error: unknown) => error,
    );

    expect(refused).toMatchObject({
      message: expect.stringContaining('/events') as unknown,
      data: { code: 'wrong_namespace' },
    });
  });

  it('should close an engine.io connection that joins no namespace after the connect timeout', async () => {
    const bare: BareConnection = await bareEngineConnection(api2);
    opened.push(bare);

    const closedAfterMs = await withinMs(bare.closedAfterMs, CONNECT_TIMEOUT_MS * 2);

    expect(closedAfterMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 1_000);
    expect(closedAfterMs).toBeLessThan(CONNECT_TIMEOUT_MS * 2);
  }, 40_000);

  it('should free the seats of an API process killed with SIGKILL within three missed renewals', async () => {
    const tenant = await createTenant(api1, 'killed');
    const doomed = await suite.platform.startApi();
    const doomedUrl = suite.platform.urls.at(-1) ?? '';
    for (let i = 0; i < PER_KEY; i += 1) {
      await attempt(doomedUrl, tenant.key);
    }

    await doomed.stop('SIGKILL');
    const killedAt = Date.now();
    const whileStale = await refusalOf(api1, tenant.key);
    const healed = await eventually(() => attempt(api1, tenant.key), STALE_SEAT_MS * 2, 500);

    expect(whileStale).toMatchObject({ data: { code: 'too_many_sockets_per_key' } });
    expect(healed.socket.connected).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(STALE_SEAT_MS * 2);
  }, 90_000);
});

/** The promise's value, or a rejection once `ms` have passed without one. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing happened within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
