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

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
