import { EventClient } from '../support/event-client';
import { RunBody, finishedRun, storedEvents, submitRun } from '../support/runs';
import { TestTenant, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const TENANTS = 20;
const RUNS_PER_TENANT = 10;
const STEPS = 5;

describe('Tenant isolation under concurrency', () => {
  const suite = usePlatform({
    apis: 2,
    workers: 2,
    env: { WORKER_CONCURRENCY: '25' },
  });
  let tenants: TestTenant[];
  let clients: EventClient[];
  let runsByTenant: Map<string, RunBody[]>;

  /** Tenant i's event client: one is connected per tenant, in the tenants' order. */
  const clientOf = (i: number): EventClient => {
    const client = clients[i];
    if (client === undefined) {
      throw new Error(`no event client for tenant ${i}`);
    }
    return client;
  };

  beforeAll(async () => {
    tenants = await Promise.all(
      Array.from({ length: TENANTS }, (_, i) => createTenant(suite.platform.url, `iso${i}`)),
    );
    clients = await Promise.all(
      tenants.map((t, i) => EventClient.connect(suite.platform.urls[i % 2] ?? '', t.key)),
    );

    runsByTenant = new Map(
      await Promise.all(
        tenants.map(async (tenant, i) => {
          const submitUrl = suite.platform.urls[(i + 1) % 2] ?? '';
          const runs = await Promise.all(
            Array.from({ length: RUNS_PER_TENANT }, () =>
              submitRun(submitUrl, tenant.key, {
                agent: 'ticker',
                input: { steps: STEPS, intervalMs: 10 },
              }),
            ),
          );
          await Promise.all(runs.map((run) => clientOf(i).subscribe(run.id)));
          return [tenant.id, runs] as const;
        }),
      ),
    );
    await Promise.all(
      tenants.flatMap((tenant, i) =>
        (runsByTenant.get(tenant.id) ?? []).map((run) => clientOf(i).untilFinished(run.id, 30_000)),
      ),
    );
  }, 60_000);

  afterAll(() => {
    clients?.forEach((client) => client.close());
  });

  it('should finish every run of every tenant as succeeded, with its own tenant on the record', async () => {
    const failures: string[] = [];
    for (const tenant of tenants) {
      for (const run of runsByTenant.get(tenant.id) ?? []) {
        const finished = await finishedRun(suite.platform.url, tenant.key, run.id);
        if (finished.status !== 'succeeded' || finished.tenantId !== tenant.id) {
          failures.push(
            `${tenant.id} run ${run.id}: ${finished.status} as ${finished.tenantId} (${finished.error?.message ?? ''})`,
          );
        }
      }
    }

    expect(failures).toEqual([]);
  });

  it("should deliver to each client only its own runs' events", () => {
    const leaks = tenants.flatMap((tenant, i) => {
      const own = new Set((runsByTenant.get(tenant.id) ?? []).map((run) => run.id));
      return (clients[i]?.all ?? [])
        .filter((event) => !own.has(event.runId))
        .map((event) => `${tenant.id} received event ${event.id} of run ${event.runId}`);
    });

    expect(leaks).toEqual([]);
  });

  it('should deliver every event of every run, complete and in order, exactly as stored', async () => {
    const mismatches: string[] = [];
    for (const [i, tenant] of tenants.entries()) {
      for (const run of runsByTenant.get(tenant.id) ?? []) {
        const received = clients[i]?.eventsOf(run.id) ?? [];
        const stored = await storedEvents(suite.platform.url, tenant.key, run.id);
        if (JSON.stringify(received) !== JSON.stringify(stored)) {
          mismatches.push(`${tenant.id} ${run.id}`);
        }
        if (stored.length !== STEPS + 3) {
          mismatches.push(`${tenant.id} ${run.id} stored ${stored.length} events`);
        }
      }
    }

    expect(mismatches).toEqual([]);
  });

  it("should write each agent's log lines with its own run's tenant and run ids", () => {
    const runTenant = new Map(
      [...runsByTenant.entries()].flatMap(([tenantId, runs]) =>
        runs.map((run) => [run.id, tenantId] as const),
      ),
    );
    const agentLines = suite.platform.logLines.filter((line) => line.msg === 'ticker.done');
    const wrong = agentLines.filter((line) => runTenant.get(line.runId ?? '') !== line.tenantId);

    expect(agentLines).toHaveLength(TENANTS * RUNS_PER_TENANT);
    expect(wrong).toEqual([]);
  });
});
