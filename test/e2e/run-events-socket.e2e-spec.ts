import request from 'supertest';
import { bodyOf } from '../support/answers';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { finishedRun, storedEvents, submitRun } from '../support/runs';
import { IssuedKey, TestTenant, admin, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Run events over socket.io', () => {
  const suite = usePlatform({ apis: 2, workers: 1 });
  let api1: string;
  let api2: string;
  let owner: TestTenant;
  let intruder: TestTenant;
  const clients: EventClient[] = [];

  const connect = async (url: string, token: unknown) => {
    const client = await EventClient.connect(url, token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    [api1, api2] = suite.platform.urls as [string, string];
    [owner, intruder] = await Promise.all([
      createTenant(api1, 'owner'),
      createTenant(api1, 'intruder'),
    ]);
  });

  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });

  describe('connecting', () => {
    it.each([
      ['no token', undefined],
      ['a token that is not a string', { key: 1 }],
      ['an unknown key', 'bk_nobody_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ])('should refuse a handshake with %s', async (_case, token) => {
      await expect(EventClient.connect(api1, token)).rejects.toMatchObject({
        message: 'unauthorized',
        data: { code: 'unauthorized' },
      });
    });
  });

  describe('subscribe', () => {
    it('should deliver every event of a run submitted on another API process, in order, once each', async () => {
      const client = await connect(api2, owner.key);
      const run = await submitRun(api1, owner.key, {
        agent: 'ticker',
        input: { steps: 20, intervalMs: 5 },
      });

      const ack = await client.subscribe(run.id);
      const received = await client.untilFinished(run.id);

      expect(ack).toEqual({ ok: true });
      expect(received).toEqual(await storedEvents(api1, owner.key, run.id));
      expect(received.map((e) => e.id)).toEqual(range(1, 23));
    });

    it('should replay only the events after `after`, then continue live without a gap', async () => {
      const run = await submitRun(api1, owner.key, {
        agent: 'ticker',
        input: { steps: 10, intervalMs: 20 },
      });
      await eventually(async () =>
        expect((await storedEvents(api1, owner.key, run.id)).length).toBeGreaterThan(4),
      );
      const client = await connect(api1, owner.key);

      await client.subscribe(run.id, 3);
      const received = await client.untilFinished(run.id);

      const stored = await storedEvents(api1, owner.key, run.id);
      expect(received).toEqual(stored.filter((e) => e.id > 3));
    });

    it('should answer a run of another tenant exactly as a missing run, and send none of its events', async () => {
      const spy = await connect(api1, intruder.key);
      const watcher = await connect(api2, owner.key);
      const run = await submitRun(api1, owner.key, {
        agent: 'ticker',
        input: { steps: 5, intervalMs: 10 },
      });
      await watcher.subscribe(run.id);

      const theirs = await spy.subscribe(run.id);
      const missing = await spy.subscribe(`${run.id.slice(0, -2)}AA`);
      const ownerEvents = await watcher.untilFinished(run.id);
      await spy.subscribe('run_x');

      expect(theirs).toEqual({
        ok: false,
        error: { code: 'run_not_found', message: expect.any(String) as unknown },
      });
      expect(theirs.error?.code).toBe(missing.error?.code);
      expect(spy.all).toEqual([]);
      expect(ownerEvents.map((e) => e.type).at(-1)).toBe('run.succeeded');
    });

    it('should deliver each event once when one socket subscribes to one run several times at once', async () => {
      const client = await connect(api2, owner.key);
      const run = await submitRun(api1, owner.key, {
        agent: 'ticker',
        input: { steps: 10, intervalMs: 10 },
      });

      const acks = await Promise.all([
        client.subscribe(run.id),
        client.subscribe(run.id, 1),
        client.subscribe(run.id),
      ]);
      await client.untilFinished(run.id);
      await client.send('unsubscribe', { runId: 'run_barrier' });

      expect(acks.every((ack) => ack.ok)).toBe(true);
      const ids = client.eventsOf(run.id).map((e) => e.id);
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
      expect(ids.at(-1)).toBe(13);
    });

    it.each([
      ['no payload', undefined],
      ['a string', 'run_x'],
      ['a numeric run id', { runId: 42 }],
      ['a negative after', { runId: 'run_x', after: -1 }],
      ['an unknown field', { runId: 'run_x', tenantId: 'owner' }],
      ['a huge run id', { runId: 'r'.repeat(10_000) }],
    ])('should answer %s with invalid_request and keep the socket open', async (_case, payload) => {
      const client = await connect(api1, owner.key);

      const ack = await client.send('subscribe', payload);

      expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      expect(client.socket.connected).toBe(true);
    });
  });

  describe('unsubscribe', () => {
    it('should stop delivering a run after the ack', async () => {
      const client = await connect(api1, owner.key);
      const run = await submitRun(api1, owner.key, {
        agent: 'ticker',
        input: { steps: 30, intervalMs: 10 },
      });
      await client.subscribe(run.id);
      await eventually(() => expect(client.eventsOf(run.id).length).toBeGreaterThan(3));

      const ack = await client.unsubscribe(run.id);
      const countAtAck = client.eventsOf(run.id).length;
      await finishedRun(api1, owner.key, run.id);
      await client.send('unsubscribe', { runId: 'run_barrier' });

      expect(ack).toEqual({ ok: true });
      expect(client.eventsOf(run.id)).toHaveLength(countAtAck);
    });

    it('should answer not_subscribed for a run the socket does not follow', async () => {
      const client = await connect(api1, owner.key);

      expect(await client.unsubscribe('run_nothing')).toMatchObject({
        ok: false,
        error: { code: 'not_subscribed' },
      });
    });
  });

  describe('revoking a key', () => {
    it('should refuse it over HTTP at once and drop its sockets on every API process', async () => {
      const tenant = await createTenant(api1, 'revoked');
      const onApi1 = await connect(api1, tenant.key);
      const onApi2 = await connect(api2, tenant.key);
      const dropped = Promise.all([onApi1.disconnected(), onApi2.disconnected()]);

      const revokedAt = Date.now();
      await request(api1)
        .delete(`/v1/admin/tenants/${tenant.id}/keys/${tenant.keyId}`)
        .set(admin)
        .expect(204);
      await dropped;

      expect(Date.now() - revokedAt).toBeLessThan(1_000);
      await request(api2).get('/v1/runs').set(bearer(tenant.key)).expect(401);
      await expect(EventClient.connect(api2, tenant.key)).rejects.toMatchObject({
        message: 'unauthorized',
      });
    });

    it("should leave sockets of the tenant's other keys connected", async () => {
      const tenant = await createTenant(api1, 'twokeys');
      const second = bodyOf<IssuedKey>(
        await request(api1).post(`/v1/admin/tenants/${tenant.id}/keys`).set(admin).expect(201),
      );
      const kept = await connect(api2, second.key);
      const revoked = await connect(api2, tenant.key);

      await request(api1)
        .delete(`/v1/admin/tenants/${tenant.id}/keys/${tenant.keyId}`)
        .set(admin)
        .expect(204);
      await revoked.disconnected();
      const run = await submitRun(api1, second.key, { agent: 'echo', input: {} });

      expect(await kept.subscribe(run.id)).toEqual({ ok: true });
      expect((await kept.untilFinished(run.id)).at(-1)?.type).toBe('run.succeeded');
    });
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
