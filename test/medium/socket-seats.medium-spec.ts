import { TenantId } from '@bulkhead/context';
import { SeatOutcome, SocketSeats } from '@bulkhead/store';
import { SeededRandom } from './support/seeded-random';
import { newTenantId } from './support/store-runs';
import { useStore } from './support/use-store';

const PER_KEY = 5;
const PER_TENANT = 12;

describe(`${SocketSeats.name}: concurrent takes across API processes`, () => {
  const suite = useStore({
    apps: 2,
    env: { SOCKET_MAX_PER_KEY: String(PER_KEY), SOCKET_MAX_PER_TENANT: String(PER_TENANT) },
  });

  const seated = (tenantId: TenantId, keyId?: string) =>
    suite.app.redis.zcard(
      keyId === undefined
        ? suite.app.keys.tenantSockets(tenantId)
        : suite.app.keys.keySockets(tenantId, keyId),
    );

  const takeAll = (tenantId: TenantId, takes: readonly { keyId: string; socketId: string }[]) =>
    Promise.all(
      takes.map(({ keyId, socketId }, i) => suite.appFor(i).seats.take(tenantId, keyId, socketId)),
    );

  const taken = (outcomes: readonly SeatOutcome[]) => outcomes.filter((o) => o.taken).length;

  it('should admit exactly SOCKET_MAX_PER_KEY of many concurrent takes on one key', async () => {
    const tenantId = newTenantId('seats-key');
    const takes = Array.from({ length: 40 }, (_, i) => ({ keyId: 'key-a', socketId: `s${i}` }));

    const outcomes = await takeAll(tenantId, takes);

    expect(taken(outcomes)).toBe(PER_KEY);
    expect(outcomes.filter((o) => !o.taken)).toEqual(
      Array.from({ length: 40 - PER_KEY }, () => ({
        taken: false,
        refusedBy: 'key',
        limit: PER_KEY,
      })),
    );
    expect(await seated(tenantId, 'key-a')).toBe(PER_KEY);
  });

  it('should admit exactly SOCKET_MAX_PER_TENANT of many concurrent takes over many keys', async () => {
    const tenantId = newTenantId('seats-tenant');
    const keys = Array.from({ length: 8 }, (_, k) => `key-${k}`);
    const takes = new SeededRandom(99).shuffled(
      keys.flatMap((keyId) =>
        Array.from({ length: PER_KEY + 2 }, (_, i) => ({ keyId, socketId: `${keyId}-s${i}` })),
      ),
    );

    const outcomes = await takeAll(tenantId, takes);

    expect(taken(outcomes)).toBe(PER_TENANT);
    expect(await seated(tenantId)).toBe(PER_TENANT);
    const perKey = await Promise.all(keys.map((keyId) => seated(tenantId, keyId)));
    expect(perKey.reduce((sum, n) => sum + n, 0)).toBe(PER_TENANT);
    expect(Math.max(...perKey)).toBeLessThanOrEqual(PER_KEY);
    expect(outcomes.filter((o) => !o.taken && o.refusedBy === 'tenant').length).toBeGreaterThan(0);
  });

  it('should give a seat back on release, so the next take on that key is admitted', async () => {
    const tenantId = newTenantId('seats-release');
    const takes = Array.from({ length: PER_KEY }, (_, i) => ({ keyId: 'k', socketId: `s${i}` }));
    await takeAll(tenantId, takes);
    const refused = await suite.app.seats.take(tenantId, 'k', 'late');

    await suite.appFor(1).seats.release(tenantId, 'k', 's0');

    expect(refused).toEqual({ taken: false, refusedBy: 'key', limit: PER_KEY });
    expect(await suite.app.seats.take(tenantId, 'k', 'late')).toEqual({ taken: true });
    expect(await seated(tenantId, 'k')).toBe(PER_KEY);
  });

  it("should count each tenant's seats apart", async () => {
    const [full, other] = [newTenantId('seats-full'), newTenantId('seats-other')];
    await takeAll(
      full,
      Array.from({ length: PER_KEY }, (_, i) => ({ keyId: 'shared-name', socketId: `s${i}` })),
    );

    const outcome = await suite.app.seats.take(other, 'shared-name', 's0');

    expect(outcome).toEqual({ taken: true });
  });
});
