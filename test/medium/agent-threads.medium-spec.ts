import { AgentThreads, MAX_THREADS_PER_TENANT } from '@bulkhead/store';
import { randomUUID } from 'node:crypto';
import { newTenantId } from './support/store-runs';
import { useStore } from './support/use-store';

describe(`${AgentThreads.name}: the LangGraph API's threads, per tenant in Redis`, () => {
  // Two apps: two API processes creating one thread id at once.
  const suite = useStore({ apps: 2 });
  const threadsOf = (i: number) => suite.appFor(i).module.get(AgentThreads);

  it('should create a thread exactly once when two processes race on one id', async () => {
    const tenantId = newTenantId('race');
    const threadId = randomUUID();

    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => threadsOf(i).create(tenantId, threadId, { i })),
    );

    const created = outcomes.filter((outcome) => outcome.kind === 'created');
    expect(created).toHaveLength(1);
    const stored = await threadsOf(0).get(tenantId, threadId);
    expect(outcomes.every((outcome) => outcome.kind !== 'full')).toBe(true);
    expect(outcomes.map((outcome) => outcome.kind !== 'full' && outcome.thread)).toEqual(
      outcomes.map(() => stored),
    );
  });

  it(`should refuse a thread beyond ${MAX_THREADS_PER_TENANT}, and take one again after a delete`, async () => {
    const tenantId = newTenantId('full');
    const index = suite.app.keys.threadIndex(tenantId);
    const members = Array.from({ length: MAX_THREADS_PER_TENANT - 1 }, (_, i) => [i, `t${i}`]);
    await suite.app.redis.zadd(index, ...members.flat());
    const last = await threadsOf(0).create(tenantId, 'last', {});

    const refused = await threadsOf(1).create(tenantId, 'one-too-many', {});
    await threadsOf(0).delete(tenantId, 'last');
    const after = await threadsOf(1).create(tenantId, 'one-too-many', {});

    expect(last.kind).toBe('created');
    expect(refused.kind).toBe('full');
    expect(after.kind).toBe('created');
  });
});
