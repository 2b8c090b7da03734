import { ProviderHealth } from '@bulkhead/store';
import { eventually } from '../support/eventually';
import { newTenantId } from './support/store-runs';
import { useStore } from './support/use-store';

const OPEN_MS = 300;

describe(`${ProviderHealth.name}: one provider's breaker, cool-down and refused key, in Redis`, () => {
  // Two apps: two worker processes reading and writing one provider's health.
  const suite = useStore({ apps: 2, env: { LLM_BREAKER_OPEN_MS: String(OPEN_MS) } });
  const healthOf = (i: number) => suite.apps[i]!.module.get(ProviderHealth);
  const version = '2026-12-02T00:00:00.000Z';
  const fail = (tenantId: ReturnType<typeof newTenantId>, i = 0) =>
    healthOf(i).record(tenantId, 'p1', version, { kind: 'failure' });

  it('should open after 3 failures, for every process, and let exactly one trial through once it is due', async () => {
    const tenantId = newTenantId('breaker');
    expect([await fail(tenantId, 0), await fail(tenantId, 1), await fail(tenantId, 0)]).toEqual([
      false,
      false,
      true,
    ]);

    expect(await healthOf(1).admit(tenantId, 'p1', version)).toBe('open');
    await eventually(async () =>
      expect(await healthOf(0).admit(tenantId, 'p1', version)).toBe('trial'),
    );
    const others = await Promise.all(
      [0, 1, 0, 1].map((i) => healthOf(i).admit(tenantId, 'p1', version)),
    );
    expect(others).toEqual(['open', 'open', 'open', 'open']);
  });

  it('should close on a successful trial, and open again on a failed one', async () => {
    const [recovering, relapsing] = [newTenantId('recovers'), newTenantId('relapses')];
    for (const tenantId of [recovering, relapsing]) {
      await fail(tenantId);
      await fail(tenantId);
      await fail(tenantId);
      await eventually(async () =>
        expect(await healthOf(0).admit(tenantId, 'p1', version)).toBe('trial'),
      );
    }

    await healthOf(1).record(recovering, 'p1', version, { kind: 'success' });
    await fail(relapsing, 1);

    expect(await healthOf(0).admit(recovering, 'p1', version)).toBe('ok');
    expect(await healthOf(0).admit(relapsing, 'p1', version)).toBe('open');
  });

  it('should keep every process off a rate-limited provider for its Retry-After, then let it back', async () => {
    const tenantId = newTenantId('limited');
    await healthOf(0).record(tenantId, 'p1', version, { kind: 'rate_limited', retryAfterMs: 300 });

    expect(await healthOf(1).admit(tenantId, 'p1', version)).toBe('rate_limited');
    await eventually(async () =>
      expect(await healthOf(1).admit(tenantId, 'p1', version)).toBe('ok'),
    );
  });

  it('should disable a provider whose key was refused, until its credentials change', async () => {
    const tenantId = newTenantId('refused');
    await healthOf(0).record(tenantId, 'p1', version, { kind: 'unauthorized' });

    expect(await healthOf(1).admit(tenantId, 'p1', version)).toBe('disabled');
    expect(await healthOf(1).admit(tenantId, 'p1', '2026-12-02T00:05:00.000Z')).toBe('ok');
  });

  it("should keep one tenant's failing provider from affecting another tenant's of the same name", async () => {
    const [failing, other] = [newTenantId('failing'), newTenantId('other')];
    await fail(failing);
    await fail(failing);
    await fail(failing);

    expect(await healthOf(0).admit(failing, 'p1', version)).toBe('open');
    expect(await healthOf(0).admit(other, 'p1', version)).toBe('ok');
  });
});
