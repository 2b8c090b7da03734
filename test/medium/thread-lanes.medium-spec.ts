import { RunId, TenantId } from '@bulkhead/context';
import {
  AgentRun,
  AgentThreads,
  MAX_WAITING_RUNS_PER_THREAD,
  MultitaskStrategy,
  RunStatus,
  ThreadLanes,
  newRunId,
} from '@bulkhead/store';
import { randomUUID } from 'node:crypto';
import { countOf, newTenantId, redisClockMs } from './support/store-runs';
import { StoreApp, useStore } from './support/use-store';

/** A run's LangGraph record on the thread, for the claim. */
function agentRunOn(
  threadId: string,
  strategy: MultitaskStrategy,
): AgentRun & {
  strategy: MultitaskStrategy;
} {
  return { threadId, stateless: false, assistantId: 'a', streamModes: ['values'], strategy };
}

describe(`${ThreadLanes.name}: one run of a thread at a time, decided in Redis across processes`, () => {
  // Two apps: two API processes claiming and advancing the same thread at once.
  const suite = useStore({ apps: 2 });
  const lanesOf = (i: number) => suite.appFor(i).module.get(ThreadLanes);

  /** A tenant's new thread. */
  async function newThread(): Promise<{ tenantId: TenantId; threadId: string }> {
    const tenantId = newTenantId('lane');
    const threadId = randomUUID();
    await suite.app.module.get(AgentThreads).create(tenantId, threadId, {});
    return { tenantId, threadId };
  }

  /** What the run's record says, as RunStore writes it: the lane scripts read only its status. */
  async function recordAs(tenantId: TenantId, runId: RunId, status: RunStatus): Promise<void> {
    await suite.app.redis.hset(
      `${suite.app.keys.runKeyPrefix(tenantId)}${runId}`,
      'status',
      status,
    );
  }

  async function claimRecorded(
    app: number,
    lane: { tenantId: TenantId; threadId: string },
    strategy: MultitaskStrategy,
  ) {
    const runId = newRunId();
    const claim = await lanesOf(app).claim(
      lane.tenantId,
      runId,
      agentRunOn(lane.threadId, strategy),
      JSON.stringify({ runId }),
    );
    if (claim.kind !== 'busy' && claim.kind !== 'full') {
      await recordAs(lane.tenantId, runId, 'queued');
    }
    return { runId, claim };
  }

  async function ageActiveClaim(app: StoreApp, tenantId: TenantId, threadId: string, ms: number) {
    const now = await redisClockMs(app.redis);
    await app.redis.hset(app.keys.thread(tenantId, threadId), 'activeMs', now - ms);
  }

  it('should start exactly one of many runs racing onto a free thread with reject', async () => {
    const lane = await newThread();

    const claims = await Promise.all(
      Array.from({ length: 40 }, (_, i) => claimRecorded(i, lane, 'reject')),
    );

    const kinds = claims.map(({ claim }) => claim.kind);
    expect(countOf(kinds, 'start')).toBe(1);
    expect(countOf(kinds, 'busy')).toBe(39);
  });

  it('should line up racing enqueued runs and hand each out exactly once, in line order', async () => {
    const lane = await newThread();
    const claims = await Promise.all(
      Array.from({ length: 30 }, (_, i) => claimRecorded(i, lane, 'enqueue')),
    );
    const first = claims.find(({ claim }) => claim.kind === 'start')!;
    const line = await suite.app.redis.lrange(
      suite.app.keys.threadWaiting(lane.tenantId, lane.threadId),
      0,
      -1,
    );

    const started: string[] = [first.runId];
    for (;;) {
      await recordAs(lane.tenantId, started.at(-1) as RunId, 'succeeded');
      const advances = await Promise.all(
        Array.from({ length: 8 }, (_, i) => lanesOf(i).advance(lane.tenantId, lane.threadId)),
      );
      const next = advances.flatMap((advance) => (advance.next ? [advance.next.runId] : []));
      expect(next.length).toBeLessThanOrEqual(1);
      if (next.length === 0) {
        break;
      }
      started.push(next[0]!);
    }

    expect(
      countOf(
        claims.map(({ claim }) => claim.kind),
        'wait',
      ),
    ).toBe(29);
    expect(started.slice(1)).toEqual(line);
    expect(new Set(started).size).toBe(30);
  });

  it('should hold a claimed run not recorded yet as busy, and free the thread once its grace passed', async () => {
    const lane = await newThread();
    const unrecorded = newRunId();
    await lanesOf(0).claim(lane.tenantId, unrecorded, agentRunOn(lane.threadId, 'reject'), '{}');

    const duringGrace = await claimRecorded(1, lane, 'reject');
    await ageActiveClaim(suite.app, lane.tenantId, lane.threadId, 10_001);
    const afterGrace = await claimRecorded(1, lane, 'reject');

    expect(duringGrace.claim.kind).toBe('busy');
    expect(afterGrace.claim.kind).toBe('start');
  });

  it('should free the thread at once when a claim is released', async () => {
    const lane = await newThread();
    const refused = newRunId();
    await lanesOf(0).claim(lane.tenantId, refused, agentRunOn(lane.threadId, 'reject'), '{}');

    await lanesOf(0).release(lane.tenantId, lane.threadId, refused);
    const next = await claimRecorded(1, lane, 'reject');

    expect(next.claim.kind).toBe('start');
    expect(await lanesOf(1).isOnThread(lane.tenantId, lane.threadId, refused)).toBe(false);
    expect(await lanesOf(1).agentRun(lane.tenantId, refused)).toBeUndefined();
  });

  it('should preempt the running and waiting runs, and take them off the thread only with rollback', async () => {
    const interrupted = await newThread();
    const rolledBack = await newThread();
    const preemptedOf = async (lane: typeof interrupted, strategy: MultitaskStrategy) => {
      const running = await claimRecorded(0, lane, 'enqueue');
      await recordAs(lane.tenantId, running.runId, 'running');
      const waiting = await claimRecorded(1, lane, 'enqueue');
      const preempting = await claimRecorded(0, lane, strategy);
      return { running, waiting, preempting };
    };

    const interrupt = await preemptedOf(interrupted, 'interrupt');
    const rollback = await preemptedOf(rolledBack, 'rollback');
    const listed = (lane: typeof interrupted) =>
      lanesOf(1).runsOf(lane.tenantId, lane.threadId, { limit: 10, offset: 0 });

    for (const { running, waiting, preempting } of [interrupt, rollback]) {
      expect(preempting.claim).toEqual({
        kind: 'preempt',
        preempted: [running.runId, waiting.runId],
      });
    }
    expect(await listed(interrupted)).toEqual([
      interrupt.preempting.runId,
      interrupt.waiting.runId,
      interrupt.running.runId,
    ]);
    expect(await listed(rolledBack)).toEqual([rollback.preempting.runId]);
  });

  it(`should refuse an enqueued run beyond ${MAX_WAITING_RUNS_PER_THREAD} waiting, and take one once the line moved`, async () => {
    const lane = await newThread();
    const active = await claimRecorded(0, lane, 'enqueue');
    for (let i = 0; i < MAX_WAITING_RUNS_PER_THREAD; i += 1) {
      await claimRecorded(i, lane, 'enqueue');
    }

    const refused = await claimRecorded(1, lane, 'enqueue');
    await recordAs(lane.tenantId, active.runId, 'succeeded');
    await lanesOf(0).advance(lane.tenantId, lane.threadId);
    const taken = await claimRecorded(1, lane, 'enqueue');

    expect(refused.claim.kind).toBe('full');
    expect(taken.claim.kind).toBe('wait');
  });

  it("should hand a waiting run out at its tenant's queue priority now, not ahead of other tenants", async () => {
    const lane = await newThread();
    const active = await claimRecorded(0, lane, 'enqueue');
    const waiting = await claimRecorded(1, lane, 'enqueue');
    await suite.app.redis.set(suite.app.keys.backlogPeak(lane.tenantId), 7);

    await recordAs(lane.tenantId, active.runId, 'succeeded');
    const advance = await lanesOf(0).advance(lane.tenantId, lane.threadId);

    expect(advance.next).toMatchObject({ runId: waiting.runId, priority: 7 });
  });

  it('should tell that a run preempted while it was being recorded no longer holds its place', async () => {
    const lane = await newThread();
    const active = await claimRecorded(0, lane, 'enqueue');
    const waiting = await claimRecorded(1, lane, 'enqueue');
    const held = await Promise.all(
      [active, waiting].map(({ runId }) => lanesOf(0).holds(lane.tenantId, lane.threadId, runId)),
    );

    const preempting = await claimRecorded(1, lane, 'interrupt');

    expect(held).toEqual([true, true]);
    expect(await lanesOf(0).holds(lane.tenantId, lane.threadId, active.runId)).toBe(false);
    expect(await lanesOf(0).holds(lane.tenantId, lane.threadId, waiting.runId)).toBe(false);
    expect(await lanesOf(0).holds(lane.tenantId, lane.threadId, preempting.runId)).toBe(true);
  });

  it('should return the active and waiting runs of a deleted thread, for the caller to cancel', async () => {
    const lane = await newThread();
    const active = await claimRecorded(0, lane, 'enqueue');
    const waiting = await claimRecorded(1, lane, 'enqueue');

    const deleted = await suite.app.module.get(AgentThreads).delete(lane.tenantId, lane.threadId);

    expect(deleted).toEqual({ existed: true, runs: [active.runId, waiting.runId] });
  });

  it('should answer missing for a thread that does not exist', async () => {
    const tenantId = newTenantId('lane');

    const claim = await claimRecorded(0, { tenantId, threadId: randomUUID() }, 'enqueue');

    expect(claim.claim.kind).toBe('missing');
  });
});
