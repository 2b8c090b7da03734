import { RunId, TenantId } from '@bulkhead/context';
import {
  IdempotencyKeyReusedError,
  QueueFullError,
  StorageQuotaError,
  SubmissionRateLimitedError,
} from '@bulkhead/errors';
import { RunStore, newRunId } from '@bulkhead/store';
import { countOf, indexesHolding, newTenantId, storedEvents } from './support/store-runs';
import { StoreApp, useStore } from './support/use-store';

/** What a refused submission threw (the test fails if it was admitted). */
async function refusalOf(submission: Promise<unknown>): Promise<unknown> {
  try {
    await submission;
  } catch (error) {
    return error;
  }
  throw new Error('the submission was admitted');
}

describe(`${RunStore.name}.submit`, () => {
  const suite = useStore({ apps: 2 });
  const submit = (app: StoreApp, tenantId: TenantId, id: RunId = newRunId()) =>
    app.runs.submit(tenantId, { id, agent: 'echo', input: { n: 1 } });

  /** The tenant's stored state (and its spent rate) a refused submission must leave as it was. */
  const footprint = async (tenantId: TenantId, refused: RunId) => ({
    usage: await suite.app.limits.usage(tenantId),
    refusedRun: await suite.app.runs.find(tenantId, refused),
    refusedEvents: await suite.app.redis.exists(suite.app.keys.runEvents(tenantId, refused)),
    rate: await suite.app.redis.get(suite.app.keys.submissionRate(tenantId)),
  });

  describe('a new run', () => {
    it('should be recorded queued, with its run.queued event, and returned from the same step', async () => {
      const tenantId = newTenantId('submit');
      const id = newRunId();

      const submitted = await suite.app.runs.submit(tenantId, {
        id,
        agent: 'echo',
        input: { n: 1 },
        metadata: { ref: 'a' },
      });

      expect(submitted).toMatchObject({ replayed: false, priority: 1 });
      expect(submitted.run).toEqual(await suite.app.runs.get(tenantId, id));
      expect(submitted.run).toMatchObject({
        id,
        tenantId,
        agent: 'echo',
        status: 'queued',
        input: { n: 1 },
        metadata: { ref: 'a' },
        attempts: 0,
      });
      const events = await storedEvents(suite.app, tenantId, id);
      expect(events.map(({ id: eventId, type, data }) => ({ eventId, type, data }))).toEqual([
        { eventId: 1, type: 'run.queued', data: {} },
      ]);
      expect(await indexesHolding(suite.app, tenantId, id)).toEqual(['queued']);
      expect(await suite.app.limits.usage(tenantId)).toEqual({ queued: 1, running: 0, stored: 1 });
    });
  });

  describe('limits, checked in order: storage quota, queue, rate', () => {
    it('should refuse with storage_quota before the queue and the rate, and create nothing', async () => {
      const tenantId = newTenantId('quota');
      await suite.app.limits.set(tenantId, {
        maxStoredRuns: 1,
        maxQueuedRuns: 1,
        runsPerMinute: 1,
      });
      await submit(suite.app, tenantId);
      const refused = newRunId();
      const before = await footprint(tenantId, refused);

      const error = await refusalOf(submit(suite.app, tenantId, refused));

      expect(error).toBeInstanceOf(StorageQuotaError);
      expect(error).toMatchObject({ code: 'storage_quota', limit: 1 });
      expect(await footprint(tenantId, refused)).toEqual(before);
    });

    it('should refuse with max_queued_runs before the rate, and create nothing', async () => {
      const tenantId = newTenantId('queue');
      await suite.app.limits.set(tenantId, { maxQueuedRuns: 1, runsPerMinute: 1 });
      await submit(suite.app, tenantId);
      const refused = newRunId();
      const before = await footprint(tenantId, refused);

      const error = await refusalOf(submit(suite.app, tenantId, refused));

      expect(error).toBeInstanceOf(QueueFullError);
      expect(error).toMatchObject({ code: 'max_queued_runs', limit: 1 });
      expect(await footprint(tenantId, refused)).toEqual(before);
    });

    it('should refuse with runs_per_minute and the time to retry in, and create nothing', async () => {
      const tenantId = newTenantId('rate');
      await suite.app.limits.set(tenantId, { runsPerMinute: 1 });
      await submit(suite.app, tenantId);
      const refused = newRunId();
      const before = await footprint(tenantId, refused);

      const error = await refusalOf(submit(suite.app, tenantId, refused));

      expect(error).toBeInstanceOf(SubmissionRateLimitedError);
      // One run a minute and one just spent: the next is due in (nearly) a minute.
      const { retryAfterSeconds } = error as SubmissionRateLimitedError;
      expect(retryAfterSeconds).toBeGreaterThanOrEqual(55);
      expect(retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(await footprint(tenantId, refused)).toEqual(before);
    });

    it('should admit exactly maxQueuedRuns of concurrent submissions from two processes', async () => {
      const tenantId = newTenantId('burst');
      await suite.app.limits.set(tenantId, { maxQueuedRuns: 7 });

      const outcomes = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => submit(suite.appFor(i), tenantId)),
      );

      const refusals = outcomes.flatMap((o): unknown[] =>
        o.status === 'rejected' ? [o.reason] : [],
      );
      expect(outcomes.length - refusals.length).toBe(7);
      expect(refusals.every((reason) => reason instanceof QueueFullError)).toBe(true);
      expect(await suite.app.limits.usage(tenantId)).toEqual({ queued: 7, running: 0, stored: 7 });
    });
  });

  describe('idempotency', () => {
    const claim = { key: 'order-42', requestHash: 'hash-a' };

    it('should make exactly one run of 50 concurrent submissions with one key, and 49 replays', async () => {
      const tenantId = newTenantId('idem');

      const submitted = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          suite
            .appFor(i)
            .runs.submit(tenantId, { id: newRunId(), agent: 'echo', input: { n: 1 } }, claim),
        ),
      );

      const replays = submitted.map((s) => s.replayed);
      expect([countOf(replays, false), countOf(replays, true)]).toEqual([1, 49]);
      const ids = new Set(submitted.map((s) => s.run.id));
      expect(ids.size).toBe(1);
      const [runId] = [...ids];
      if (!runId) {
        throw new Error('no run was made');
      }
      expect(await suite.app.limits.usage(tenantId)).toEqual({ queued: 1, running: 0, stored: 1 });
      expect(await storedEvents(suite.app, tenantId, runId)).toHaveLength(1);
    });

    it('should refuse a reused key with another request, and create nothing', async () => {
      const tenantId = newTenantId('reuse');
      const first = await suite.app.runs.submit(
        tenantId,
        { id: newRunId(), agent: 'echo', input: { v: 1 } },
        claim,
      );
      const refused = newRunId();
      const before = await footprint(tenantId, refused);

      const error = await refusalOf(
        suite.app.runs.submit(
          tenantId,
          { id: refused, agent: 'echo', input: { v: 2 } },
          { key: claim.key, requestHash: 'hash-b' },
        ),
      );

      expect(error).toBeInstanceOf(IdempotencyKeyReusedError);
      expect(await footprint(tenantId, refused)).toEqual(before);
      expect(await suite.app.runs.get(tenantId, first.run.id)).toMatchObject({ input: { v: 1 } });
    });

    it("should treat another tenant's same key as that tenant's own", async () => {
      const [mine, theirs] = [newTenantId('idem-a'), newTenantId('idem-b')];
      const first = await suite.app.runs.submit(
        mine,
        { id: newRunId(), agent: 'echo', input: {} },
        claim,
      );

      const other = await suite.app.runs.submit(
        theirs,
        { id: newRunId(), agent: 'echo', input: {} },
        claim,
      );

      expect(other.replayed).toBe(false);
      expect(other.run.id).not.toBe(first.run.id);
      expect(other.run.tenantId).toBe(theirs);
    });
  });

  describe('replays spend nothing', () => {
    it('should answer a replay even when the tenant is at its storage and queue limits', async () => {
      const tenantId = newTenantId('replay');
      const claim = { key: 'k', requestHash: 'h' };
      const first = await suite.app.runs.submit(
        tenantId,
        { id: newRunId(), agent: 'echo', input: {} },
        claim,
      );
      await suite.app.limits.set(tenantId, { maxStoredRuns: 1, maxQueuedRuns: 1 });

      const again = await suite.app.runs.submit(
        tenantId,
        { id: newRunId(), agent: 'echo', input: {} },
        claim,
      );

      expect(again).toMatchObject({ replayed: true, run: { id: first.run.id } });
      expect(await refusalOf(submit(suite.app, tenantId))).toBeInstanceOf(StorageQuotaError);
    });
  });
});
