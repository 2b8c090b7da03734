import { RunStore } from '@bulkhead/store';
import { countOf, newTenantId, queuedRuns } from './support/store-runs';
import { useStore } from './support/use-store';

const FLEET_SLOTS = 8;
const FLEET_SHARE = 0.5;

describe(`${RunStore.name}.start: a tenant's share of the worker fleet`, () => {
  // The fleet's registrations live under this file's prefix, so its share applies to this file only.
  const suite = useStore({ env: { TENANT_MAX_FLEET_SHARE: String(FLEET_SHARE) } });

  beforeAll(async () => {
    await suite.app.fleet.join('medium-worker', FLEET_SLOTS);
  });

  /** Starts `queued` runs of a tenant at once with its own maxConcurrentRuns; how many started. */
  const startedOf = async (maxConcurrentRuns: number, queued: number) => {
    const tenantId = newTenantId('fleet');
    await suite.app.limits.set(tenantId, { maxConcurrentRuns });
    const ids = await queuedRuns(suite.app, tenantId, queued);
    const outcomes = await Promise.all(ids.map((id) => suite.app.runs.start(tenantId, id)));
    const kinds = outcomes.map((outcome) => outcome.kind);
    return {
      started: countOf(kinds, 'started'),
      atCapacity: countOf(kinds, 'at_capacity'),
      running: (await suite.app.limits.usage(tenantId)).running,
    };
  };

  it('should cap a tenant whose own limit is larger at its share of the fleet', async () => {
    const share = suite.app.fleet.tenantShare;

    const outcome = await startedOf(10, 20);

    expect(share).toBe(FLEET_SLOTS * FLEET_SHARE);
    expect(outcome).toEqual({ started: share, atCapacity: 20 - share, running: share });
  });

  it('should cap a tenant whose own limit is smaller than its share at its own limit', async () => {
    const outcome = await startedOf(2, 20);

    expect(suite.app.fleet.tenantShare).toBeGreaterThan(2);
    expect(outcome).toEqual({ started: 2, atCapacity: 18, running: 2 });
  });
});
