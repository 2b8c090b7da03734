import { RunId, TenantId } from '@bulkhead/context';
import { MAX_RUN_USAGE_ENTRIES, TOKEN_DAYS_KEPT, TokenUsage, newRunId } from '@bulkhead/store';
import { newTenantId, redisClockMs } from './support/store-runs';
import { StoreApp, useStore } from './support/use-store';

const DAY_MS = 86_400_000;

describe(`${TokenUsage.name}: tokens on each run and per tenant per UTC day, against maxTokensPerDay`, () => {
  // Two apps: two worker processes counting one tenant's tokens.
  const suite = useStore({ apps: 2 });
  const tokensOf = (app: StoreApp) => app.module.get(TokenUsage);
  const call = (model: string, inputTokens: number, outputTokens: number) => ({
    provider: 'p1',
    model,
    inputTokens,
    outputTokens,
  });
  const queuedRun = async (tenantId: TenantId): Promise<RunId> => {
    const id = newRunId();
    await suite.app.runs.submit(tenantId, { id, agent: 'chat', input: {} });
    return id;
  };
  const tenantHash = (tenantId: TenantId) => suite.app.keys.tokenUsage(tenantId);

  it("should add every process's calls to the run's usage, by provider and model", async () => {
    const tenantId = newTenantId('run-usage');
    const runId = await queuedRun(tenantId);

    await tokensOf(suite.apps[0]!).record(tenantId, runId, call('m1', 7, 5));
    await tokensOf(suite.apps[1]!).record(tenantId, runId, call('m1', 3, 2));
    await tokensOf(suite.apps[1]!).record(tenantId, runId, call('m2', 10, 0));

    expect((await suite.app.runs.get(tenantId, runId)).usage).toEqual({
      inputTokens: 20,
      outputTokens: 7,
      calls: 3,
      byModel: [
        { provider: 'p1', model: 'm1', inputTokens: 10, outputTokens: 7, calls: 2 },
        { provider: 'p1', model: 'm2', inputTokens: 10, outputTokens: 0, calls: 1 },
      ],
    });
  });

  it("should count the day's tokens on the tenant and answer them in its budget and usage", async () => {
    const tenantId = newTenantId('day');
    const runId = await queuedRun(tenantId);
    await suite.app.limits.set(tenantId, { maxTokensPerDay: 100 });

    await tokensOf(suite.apps[0]!).record(tenantId, runId, call('m1', 30, 12));
    await tokensOf(suite.apps[1]!).record(tenantId, runId, call('m1', 8, 0));

    const budget = await tokensOf(suite.app).budget(tenantId);
    const [today, ...before] = await tokensOf(suite.app).byDay(tenantId);
    expect(budget).toEqual({ day: today?.day, used: 50, limit: 100 });
    expect(today).toEqual({
      day: utcDay(await redisClockMs(suite.app.redis)),
      inputTokens: 38,
      outputTokens: 12,
      calls: 2,
    });
    expect(before).toEqual([]);
  });

  it('should have no limit without maxTokensPerDay, and never count another tenant', async () => {
    const [spender, other] = [newTenantId('spender'), newTenantId('other')];
    await tokensOf(suite.app).record(spender, await queuedRun(spender), call('m1', 500, 500));

    expect(await tokensOf(suite.app).budget(spender)).toMatchObject({ used: 1_000, limit: null });
    expect(await tokensOf(suite.app).budget(other)).toMatchObject({ used: 0, limit: null });
  });

  it("should count a provider's nonsense counts as 0, and a huge one at most a billion", async () => {
    const tenantId = newTenantId('nonsense');
    const runId = await queuedRun(tenantId);

    await tokensOf(suite.app).record(tenantId, runId, call('m1', -5, Number.NaN));
    await tokensOf(suite.app).record(tenantId, runId, call('m1', 1e300, 2.7));

    expect((await suite.app.runs.get(tenantId, runId)).usage).toMatchObject({
      inputTokens: 1_000_000_000,
      outputTokens: 2,
      calls: 2,
    });
  });

  it('should count a call of a run already gone on the tenant only, creating no run key', async () => {
    const tenantId = newTenantId('gone');
    const runId = newRunId();

    await tokensOf(suite.app).record(tenantId, runId, call('m1', 4, 4));

    expect(await suite.app.redis.exists(suite.app.keys.run(tenantId, runId))).toBe(0);
    expect(await tokensOf(suite.app).budget(tenantId)).toMatchObject({ used: 8 });
  });

  it(`should keep at most ${MAX_RUN_USAGE_ENTRIES} entries on a run, counting the rest under (other)`, async () => {
    const tenantId = newTenantId('many-models');
    const runId = await queuedRun(tenantId);
    const models = MAX_RUN_USAGE_ENTRIES + 3;

    for (let i = 0; i < models; i += 1) {
      await tokensOf(suite.app).record(tenantId, runId, call(`m${i}`, 1, 1));
    }

    const usage = (await suite.app.runs.get(tenantId, runId)).usage;
    expect(usage?.calls).toBe(models);
    expect(usage?.byModel).toHaveLength(MAX_RUN_USAGE_ENTRIES);
    expect(usage?.byModel.at(-1)).toEqual({
      provider: '(other)',
      model: '(other)',
      inputTokens: 4,
      outputTokens: 4,
      calls: 4,
    });
  });

  it(`should show the days kept, newest first, forget older ones, and expire the tenant's hash`, async () => {
    const tenantId = newTenantId('days');
    const today = Math.floor((await redisClockMs(suite.app.redis)) / DAY_MS);
    const recent = today - 3;
    const forgotten = today - TOKEN_DAYS_KEPT;
    await suite.app.redis.hset(tenantHash(tenantId), {
      [`${recent}:input`]: 9,
      [`${recent}:output`]: 1,
      [`${recent}:calls`]: 2,
      [`${forgotten}:input`]: 1_000,
      [`${forgotten}:calls`]: 1,
    });

    await tokensOf(suite.app).record(tenantId, newRunId(), call('m1', 1, 1));

    expect(await tokensOf(suite.app).byDay(tenantId)).toEqual([
      { day: utcDay(today * DAY_MS), inputTokens: 1, outputTokens: 1, calls: 1 },
      { day: utcDay(recent * DAY_MS), inputTokens: 9, outputTokens: 1, calls: 2 },
    ]);
    const ttl = await suite.app.redis.ttl(tenantHash(tenantId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual((TOKEN_DAYS_KEPT * DAY_MS) / 1_000);
  });

  it("should delete the days no longer kept once a tenant's hash holds more than 3 fields a day", async () => {
    const tenantId = newTenantId('prune');
    const today = Math.floor((await redisClockMs(suite.app.redis)) / DAY_MS);
    const oldDays = Array.from(
      { length: 3 * TOKEN_DAYS_KEPT },
      (_, i) => today - TOKEN_DAYS_KEPT - i,
    );
    await suite.app.redis.hset(
      tenantHash(tenantId),
      Object.fromEntries(oldDays.map((day) => [`${day}:calls`, 1])),
    );
    await suite.app.redis.hset(tenantHash(tenantId), `${today - 1}:calls`, 4);

    await tokensOf(suite.app).record(tenantId, newRunId(), call('m1', 1, 1));

    expect((await suite.app.redis.hkeys(tenantHash(tenantId))).sort()).toEqual(
      [`${today - 1}:calls`, `${today}:calls`, `${today}:input`, `${today}:output`].sort(),
    );
  });
});

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
