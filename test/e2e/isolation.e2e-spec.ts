import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bodyOf } from '../support/answers';
import { EventClient } from '../support/event-client';
import { eventually } from '../support/eventually';
import { Member, closeFleet, fleetOf, inBatches, percentile } from '../support/fleet';
import {
  EventBody,
  RunBody,
  finishedRun,
  isTerminalEvent,
  storedEvents,
  submitRun,
} from '../support/runs';
import { IssuedKey, admin, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

/**
 * The isolation suite: every category would fail on a design that shares per-tenant state in a
 * singleton. The API (two processes) and the worker (two processes) run as built, against real Redis.
 */
describe('Tenant isolation', () => {
  const suite = usePlatform({
    apis: 2,
    workers: 2,
    env: { WORKER_CONCURRENCY: '25' },
  });

  describe('1. concurrent execution isolation', () => {
    const TENANTS = 50;
    const RUNS_PER_TENANT = 20;
    let fleet: Member[];
    const submitted = new Map<string, { owner: string; body: MixedRun; subscribed: boolean }>();

    beforeAll(async () => {
      fleet = await fleetOf(suite.platform, TENANTS, 'mix');
      await Promise.all(
        fleet.map(async ({ tenant, client }, t) => {
          const url = suite.platform.urls[(t + 1) % suite.platform.urls.length] ?? '';
          for (let i = 0; i < RUNS_PER_TENANT; i += 1) {
            const body = mixedRun(tenant.id, i);
            const run = await submitRun(url, tenant.key, body);
            const subscribed = i % 5 !== 0;
            submitted.set(run.id, { owner: tenant.id, body, subscribed });
            if (!subscribed) {
              continue;
            }
            const ack = await client.subscribe(run.id);
            if (!ack.ok) {
              throw new Error(
                `${tenant.id} could not follow its own run ${run.id}: ${ack.error?.code}`,
              );
            }
          }
        }),
      );
      await Promise.all(
        fleet.flatMap(({ tenant, client }) =>
          [...submitted.entries()]
            .filter(([, run]) => run.owner === tenant.id && run.subscribed)
            .map(([runId]) => client.untilFinished(runId, 60_000)),
        ),
      );
    }, 120_000);

    afterAll(() => closeFleet(fleet));

    it(`should finish all ${TENANTS * RUNS_PER_TENANT} runs as their agents imply, each with its own tenant and output`, async () => {
      const wrong = await inBatches([...submitted.entries()], 20, async ([runId, run]) => {
        const member = fleet.find((m) => m.tenant.id === run.owner);
        const finished = await finishedRun(
          suite.platform.url,
          member?.tenant.key ?? '',
          runId,
          60_000,
        );
        const expected = expectedOutput(run.body);
        if (
          finished.status === 'succeeded' &&
          finished.tenantId === run.owner &&
          same(finished.output, expected)
        ) {
          return [];
        }
        return [
          `${run.owner}: run ${runId} (${run.body.agent}) ended ${finished.status} as ${finished.tenantId} with ${JSON.stringify(finished.output ?? finished.error)}`,
        ];
      });

      expect(wrong.flat()).toEqual([]);
    });

    it('should deliver to each socket only the runs it subscribed to, of its own tenant', () => {
      const leaks = fleet.flatMap(({ tenant, client }) =>
        client.all
          .filter(
            (event) =>
              submitted.get(event.runId)?.owner !== tenant.id ||
              !submitted.get(event.runId)?.subscribed,
          )
          .map(
            (event) =>
              `${tenant.id} received ${event.type} #${event.id} of run ${event.runId} owned by ${submitted.get(event.runId)?.owner ?? 'nobody'}`,
          ),
      );

      expect(leaks).toEqual([]);
    });

    it('should deliver every subscribed run complete and in order, exactly as stored, carrying its own tenant', async () => {
      const mismatches = await inBatches(fleet, 10, async ({ tenant, client }) => {
        const own = [...submitted.entries()].filter(
          ([, run]) => run.owner === tenant.id && run.subscribed,
        );
        const problems: string[] = [];
        for (const [runId] of own) {
          const stored = await storedEvents(suite.platform.url, tenant.key, runId);
          if (!same(client.eventsOf(runId), stored)) {
            problems.push(`${tenant.id} run ${runId}: received differs from stored`);
          }
          const foreign = stored.filter((event) => carriesOtherTenant(event, tenant.id));
          if (foreign.length > 0) {
            problems.push(`${tenant.id} run ${runId} holds ${JSON.stringify(foreign[0])}`);
          }
        }
        return problems;
      });

      expect(mismatches.flat()).toEqual([]);
    });
  });

  describe('2. event-stream isolation under attack', () => {
    let owner: Member;
    let attacker: Member;
    let run: RunBody;

    beforeAll(async () => {
      [owner, attacker] = (await fleetOf(suite.platform, 2, 'attack')) as [Member, Member];
      run = await submitRun(suite.platform.url, owner.tenant.key, {
        agent: 'ticker',
        input: { steps: 20, intervalMs: 10 },
      });
      await owner.client.subscribe(run.id);
    });

    afterAll(() => closeFleet([owner, attacker]));

    it("should answer another tenant's real run ids, made-up ids and malformed payloads with errors and no events", async () => {
      const attempts = [
        { runId: run.id },
        { runId: run.id, after: 0 },
        { runId: `run_${randomUUID().replace(/-/g, '').slice(0, 31)}` },
        { runId: '../../other-tenant/run' },
        { runId: run.id, tenantId: owner.tenant.id },
        { runId: [run.id] },
        null,
        'subscribe-everything',
      ];

      const acks = await Promise.all(
        attempts.map((payload) => attacker.client.send('subscribe', payload)),
      );
      const ownerEvents = await owner.client.untilFinished(run.id);
      await attacker.client.send('unsubscribe', { runId: 'run_barrier' });

      const accepted = acks.filter((ack) => ack.ok);
      expect(accepted).toEqual([]);
      expect(acks.slice(0, 4).map((ack) => ack.error?.code)).toEqual([
        'run_not_found',
        'run_not_found',
        'run_not_found',
        'run_not_found',
      ]);
      expect(attacker.client.all).toEqual([]);
      expect(ownerEvents).toEqual(await storedEvents(suite.platform.url, owner.tenant.key, run.id));
    });

    it("should stop delivery on a key revoked mid-stream at once, and keep delivering on the tenant's other key", async () => {
      const second = bodyOf<IssuedKey>(
        await request(suite.platform.url)
          .post(`/v1/admin/tenants/${owner.tenant.id}/keys`)
          .set(admin)
          .expect(201),
      );
      const doomed = await EventClient.connect(suite.platform.urls[1] ?? '', second.key);
      const long = await submitRun(suite.platform.url, owner.tenant.key, {
        agent: 'ticker',
        input: { steps: 200, intervalMs: 10 },
      });
      await Promise.all([doomed.subscribe(long.id), owner.client.subscribe(long.id)]);
      await eventually(() => expect(doomed.eventsOf(long.id).length).toBeGreaterThan(3));

      const dropped = doomed.disconnected();
      const revokedAt = Date.now();
      await request(suite.platform.url)
        .delete(`/v1/admin/tenants/${owner.tenant.id}/keys/${second.id}`)
        .set(admin)
        .expect(204);
      await dropped;
      const droppedAfter = Date.now() - revokedAt;
      const receivedByDoomed = doomed.eventsOf(long.id).length;
      await request(suite.platform.url)
        .post(`/v1/runs/${long.id}/cancel`)
        .set(bearer(owner.tenant.key))
        .expect(202);
      await owner.client.untilFinished(long.id);

      expect(droppedAfter).toBeLessThan(1_000);
      expect(doomed.eventsOf(long.id)).toHaveLength(receivedByDoomed);
      expect(owner.client.eventsOf(long.id).length).toBeGreaterThan(receivedByDoomed);
      await request(suite.platform.url).get('/v1/runs').set(bearer(second.key)).expect(401);
    });
  });

  describe('3. scope uniqueness', () => {
    it('should give each of 100 concurrent requests its own registry, bound to the tenant of its key', async () => {
      const tenants = await Promise.all(
        Array.from({ length: 10 }, () => createTenant(suite.platform.url, 'scope')),
      );
      const sent = tenants.flatMap((tenant) =>
        Array.from({ length: 10 }, () => ({ tenant, requestId: `scope-${randomUUID()}` })),
      );

      await Promise.all(
        sent.map(({ tenant, requestId }, i) =>
          request(suite.platform.urls[i % 2] ?? '')
            .post('/v1/runs')
            .set(bearer(tenant.key))
            .set('X-Request-Id', requestId)
            .send({ agent: 'echo', input: { i } })
            .expect(202),
        ),
      );

      const lines = await eventually(() => {
        const found = sent.map(({ requestId }) =>
          suite.platform.logLines.find((l) => l.msg === 'run.queued' && l.requestId === requestId),
        );
        if (found.some((line) => !line)) {
          throw new Error('not every request has logged yet');
        }
        return found;
      });
      const wrongTenant = sent
        .filter(({ tenant }, i) => lines[i]?.tenantId !== tenant.id)
        .map(({ requestId }) => requestId);
      expect(wrongTenant).toEqual([]);
      expect(new Set(lines.map((line) => line?.scopeId)).size).toBe(sent.length);
    });

    it("should give each of 100 interleaved jobs its own registry, bound to its run's tenant, and dispose them all", async () => {
      const tenants = await Promise.all(
        Array.from({ length: 10 }, () => createTenant(suite.platform.url, 'jobs')),
      );
      const runs = (
        await Promise.all(
          tenants.map((tenant) =>
            Promise.all(
              Array.from({ length: 10 }, () =>
                submitRun(suite.platform.url, tenant.key, {
                  agent: 'probe',
                  input: { rounds: 2, marker: tenant.id },
                }),
              ),
            ),
          ),
        )
      ).flat();
      await Promise.all(
        runs.map((run) =>
          finishedRun(suite.platform.url, keyOf(tenants, run.tenantId), run.id, 30_000),
        ),
      );

      const scopeOf = new Map<string, Set<string>>();
      for (const line of suite.platform.workers.flatMap((w) => w.lines)) {
        if (!line.runId || !runs.some((run) => run.id === line.runId)) {
          continue;
        }
        const run = runs.find((r) => r.id === line.runId);
        if (line.tenantId !== run?.tenantId) {
          throw new Error(`${line.runId} logged as ${line.tenantId}`);
        }
        scopeOf.set(line.runId, (scopeOf.get(line.runId) ?? new Set()).add(String(line.scopeId)));
      }
      const scopes = [...scopeOf.values()].map((ids) => [...ids]);
      expect(scopes).toHaveLength(runs.length);
      expect(scopes.every((ids) => ids.length === 1)).toBe(true);
      expect(new Set(scopes.flat()).size).toBe(runs.length);
      await eventually(async () => {
        const stats = await Promise.all(suite.platform.workers.map((w) => w.stats()));
        expect(stats.map((s) => s.registries.live)).toEqual([0, 0]);
        expect(stats.reduce((sum, s) => sum + s.registries.opened, 0)).toBeGreaterThanOrEqual(
          runs.length,
        );
      });
    });
  });

  describe('4. context propagation', () => {
    it("should keep the run's tenant at every await, timer, emitter callback and promise chain, and in its log lines", async () => {
      const fleet = await fleetOf(suite.platform, 20, 'ctx');
      const runs = (
        await Promise.all(
          fleet.map(({ tenant }) =>
            Promise.all(
              Array.from({ length: 5 }, () =>
                submitRun(suite.platform.url, tenant.key, {
                  agent: 'probe',
                  input: { rounds: 3, marker: tenant.id },
                }),
              ),
            ),
          ),
        )
      ).flat();

      const finished = await Promise.all(
        runs.map((run) =>
          finishedRun(
            suite.platform.url,
            keyOf(
              fleet.map((m) => m.tenant),
              run.tenantId,
            ),
            run.id,
            30_000,
          ),
        ),
      );
      closeFleet(fleet);

      const failed = finished
        .filter((run) => run.status !== 'succeeded')
        .map((run) => `${run.tenantId} ${run.id}: ${run.error?.message}`);
      expect(failed).toEqual([]);
      const places = new Set<string>();
      for (const run of finished) {
        const probes = (
          await storedEvents(
            suite.platform.url,
            keyOf(
              fleet.map((m) => m.tenant),
              run.tenantId,
            ),
            run.id,
          )
        ).filter((e) => e.type === 'agent.probe');
        expect(probes).toHaveLength(15);
        probes.forEach((e) => places.add(String((e.data as { at: string }).at)));
        expect(probes.every((e) => (e.data as { marker: string }).marker === run.tenantId)).toBe(
          true,
        );
      }
      expect([...places].sort()).toEqual([
        'await',
        'event-emitter',
        'microtask',
        'promise-chain',
        'timer',
      ]);
      const roundLines = suite.platform.workers
        .flatMap((w) => w.lines)
        .filter((l) => l.msg === 'probe.round' && finished.some((r) => r.id === l.runId));
      expect(roundLines).toHaveLength(runs.length * 3);
      const mislabelled = roundLines.filter(
        (l) => finished.find((r) => r.id === l.runId)?.tenantId !== l.tenantId,
      );
      expect(mislabelled).toEqual([]);
    });
  });

  describe('5. race conditions', () => {
    it('should end each of 80 runs with exactly one terminal state and event when cancel races completion', async () => {
      const tenant = await createTenant(suite.platform.url, 'race');
      const runs = await Promise.all(
        Array.from({ length: 80 }, (_, i) =>
          submitRun(suite.platform.url, tenant.key, {
            agent: 'ticker',
            input: { steps: 1, intervalMs: i % 15 },
          }),
        ),
      );

      const answers = await Promise.all(
        runs.map(async (run, i) => {
          await new Promise((resolve) => setTimeout(resolve, i % 15));
          return request(suite.platform.urls[i % 2] ?? '')
            .post(`/v1/runs/${run.id}/cancel`)
            .set(bearer(tenant.key));
        }),
      );
      const problems: string[] = [];
      for (const [i, run] of runs.entries()) {
        const finished = await finishedRun(suite.platform.url, tenant.key, run.id);
        const terminal = (await storedEvents(suite.platform.url, tenant.key, run.id)).filter(
          isTerminalEvent,
        );
        const expected = answers[i]?.status === 202 ? 'cancelled' : 'succeeded';
        if (
          terminal.length !== 1 ||
          terminal[0]?.type !== `run.${finished.status}` ||
          finished.status !== expected
        ) {
          problems.push(
            `${run.id}: cancel answered ${answers[i]?.status}, ended ${finished.status}, terminal events ${terminal.map((e) => e.type).join(',')}`,
          );
        }
      }

      expect(problems).toEqual([]);
    });

    it('should leave no room membership and no registry behind after subscribe, unsubscribe and disconnect churn', async () => {
      const tenants = await Promise.all(
        Array.from({ length: 6 }, () => createTenant(suite.platform.url, 'churn')),
      );
      const runs = await Promise.all(
        tenants.map((tenant) =>
          submitRun(suite.platform.url, tenant.key, {
            agent: 'ticker',
            input: { steps: 50, intervalMs: 20 },
          }),
        ),
      );
      const before = await apiStats();

      await Promise.all(
        tenants.flatMap((tenant, t) =>
          Array.from({ length: 4 }, async (_, c) => {
            for (let round = 0; round < 5; round += 1) {
              const client = await EventClient.connect(
                suite.platform.urls[(t + c + round) % 2] ?? '',
                tenant.key,
              );
              const own = runs[t]?.id ?? '';
              const other = runs[(t + 1) % runs.length]?.id ?? '';
              const ops = Promise.allSettled([
                client.subscribe(own),
                client.subscribe(other),
                client.unsubscribe(own),
                client.subscribe(own),
              ]);
              // Every other round disconnects while the messages are still in flight.
              if (round % 2 === 0) {
                await ops;
              }
              client.close();
              await ops;
            }
          }),
        ),
      );
      const keepers = await Promise.all(
        tenants
          .slice(0, 3)
          .map((tenant) => EventClient.connect(suite.platform.urls[0] ?? '', tenant.key)),
      );
      await Promise.all(keepers.map((client, i) => client.subscribe(runs[i]?.id ?? '')));

      await eventually(
        async () => {
          const stats = await apiStats();
          expect(stats.sockets - before.sockets).toBe(3);
          expect(stats.runRoomMembers - before.runRoomMembers).toBe(3);
          expect(stats.registries - before.registries).toBe(3);
        },
        10_000,
        100,
      );
      keepers.forEach((client) => client.close());
      await eventually(async () => expect(await apiStats()).toEqual(before), 10_000, 100);
      await Promise.all(
        runs.map((run, i) =>
          request(suite.platform.url)
            .post(`/v1/runs/${run.id}/cancel`)
            .set(bearer(tenants[i]?.key ?? '')),
        ),
      );
    });
  });

  describe('6. load', () => {
    const report: Array<{ tenants: number; runs: number; p50Ms: number; p99Ms: number }> = [];

    afterAll(() => {
      const rows = report.map((r) => `| ${r.tenants} | ${r.runs} | ${r.p50Ms} | ${r.p99Ms} |`);
      process.stdout.write(
        [
          '',
          'Time to complete, ticker 3 × 5 ms:',
          '| tenants | runs | p50 ms | p99 ms |',
          '| ---: | ---: | ---: | ---: |',
          ...rows,
          '',
        ].join('\n'),
      );
    });

    it.each([10, 25, 50])('should complete every run of %i concurrent tenants', async (count) => {
      const tenants = await Promise.all(
        Array.from({ length: count }, () => createTenant(suite.platform.url, `load${count}`)),
      );

      const runs = (
        await Promise.all(
          tenants.map((tenant) =>
            Promise.all(
              Array.from({ length: 8 }, () =>
                submitRun(suite.platform.url, tenant.key, {
                  agent: 'ticker',
                  input: { steps: 3, intervalMs: 5 },
                }),
              ),
            ),
          ),
        )
      ).flat();
      const finished = await inBatches(runs, 25, (run) =>
        finishedRun(suite.platform.url, keyOf(tenants, run.tenantId), run.id, 60_000),
      );

      const notDone = finished.filter((run) => run.status !== 'succeeded');
      expect(notDone).toEqual([]);
      const durations = finished.map(
        (run) => Date.parse(String(run.finishedAt)) - Date.parse(String(run.createdAt)),
      );
      report.push({
        tenants: count,
        runs: runs.length,
        p50Ms: percentile(durations, 50),
        p99Ms: percentile(durations, 99),
      });
    });
  });

  async function apiStats(): Promise<{
    sockets: number;
    runRoomMembers: number;
    registries: number;
  }> {
    const stats = await Promise.all(suite.platform.apis.map((api) => api.stats()));
    return {
      sockets: stats.reduce((sum, s) => sum + (s.extra.sockets ?? 0), 0),
      runRoomMembers: stats.reduce((sum, s) => sum + (s.extra.runRoomMembers ?? 0), 0),
      registries: stats.reduce((sum, s) => sum + s.registries.live, 0),
    };
  }
});

type MixedRun = { agent: string; input: Record<string, unknown> };

/** Four agents in turn: echo, ticker, flaky (one failure, then success) and the context probe. */
function mixedRun(tenantId: string, i: number): MixedRun {
  const inputs: MixedRun[] = [
    { agent: 'echo', input: { tenant: tenantId, i } },
    { agent: 'ticker', input: { steps: 3, intervalMs: 2 } },
    { agent: 'flaky', input: { failTimes: 1, message: `fail-${tenantId}` } },
    { agent: 'probe', input: { rounds: 2, marker: tenantId } },
  ];
  return inputs[i % inputs.length] as MixedRun;
}

function expectedOutput(run: MixedRun): unknown {
  if (run.agent === 'echo') {
    return run.input;
  }
  if (run.agent === 'ticker') {
    return { steps: run.input.steps };
  }
  if (run.agent === 'flaky') {
    return { attempts: 2 };
  }
  return { rounds: run.input.rounds, marker: run.input.marker };
}

/** An event whose data names a tenant (probe markers, flaky errors, echo input) other than `tenantId`. */
function carriesOtherTenant(event: EventBody, tenantId: string): boolean {
  const text = JSON.stringify(event.data);
  const named = /mix-[0-9a-f]{8}/.exec(text);
  return named !== null && named[0] !== tenantId;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function keyOf(tenants: Array<{ id: string; key: string }>, tenantId: string): string {
  return tenants.find((tenant) => tenant.id === tenantId)?.key ?? '';
}
