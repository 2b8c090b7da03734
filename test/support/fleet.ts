import { EventClient } from './event-client';
import { Platform } from './platform';
import { TestTenant, createTenant } from './tenants';

export interface Member {
  readonly tenant: TestTenant;
  readonly client: EventClient;
}

/** `count` tenants, each with its own key and its own socket, spread over the platform's API processes. */
export async function fleetOf(platform: Platform, count: number, label: string): Promise<Member[]> {
  const tenants = await Promise.all(
    Array.from({ length: count }, () => createTenant(platform.url, label)),
  );
  return Promise.all(
    tenants.map(async (tenant, i) => ({
      tenant,
      client: await EventClient.connect(platform.urls[i % platform.urls.length] ?? '', tenant.key),
    })),
  );
}

export function closeFleet(fleet: Member[] | undefined): void {
  fleet?.forEach((member) => member.client.close());
}

// The benchmark's helpers, shared: bounded concurrency and percentiles are the same in both.
export { inLanes as inBatches, percentile } from '../../bench/support/stats';
