import { TenantId } from '@bulkhead/context';
import { StorageQuotaError } from '@bulkhead/errors';
import { RunStore, newRunId } from '@bulkhead/store';
import { eventually } from '../support/eventually';
import {
  countOf,
  indexesHolding,
  newTenantId,
  queuedRuns,
  runningRuns,
  succeed,
} from './support/store-runs';
import { useStore } from './support/use-store';

/** Finished runs pass their retention a second after they end. */
const RETENTION_SECONDS = 1;
/** How long a finished run may take to expire and be swept: its retention and then some. */
const EXPIRY_DEADLINE_MS = 5_000;

describe(`${RunStore.name}: the retention of finished runs`, () => {
  const suite = useStore({ env: { RUN_RETENTION_SECONDS: String(RETENTION_SECONDS) }, apps: 2 });

  it('should free storage for a new submission once finished runs passed their retention', async () => {
    const tenantId = newTenantId('retain');
    await suite.app.limits.set(tenantId, { maxStoredRuns: 2 });
    const [finished] = await runningRuns(suite.app, tenantId, 1);
    const [waiting] = await queuedRuns(suite.app, tenantId, 1);
    if (!finished || !waiting) {
      throw new Error('arrange: two runs expected');
    }
    await succeed(suite.app, tenantId, finished);
    const newcomer = newRunId();
    const submitNewcomer = () =>
      suite.app.runs.submit(tenantId, { id: newcomer, agent: 'echo', input: {} });
    await expect(submitNewcomer()).rejects.toBeInstanceOf(StorageQuotaError);

    const admitted = await eventually(submitNewcomer, EXPIRY_DEADLINE_MS, 100);

    expect(admitted.run).toMatchObject({ id: newcomer, status: 'queued' });
    expect(await suite.app.runs.find(tenantId, finished)).toBeUndefined();
    expect(await indexesHolding(suite.app, tenantId, finished)).toEqual([]);
    expect(await suite.app.redis.zscore(suite.app.keys.runIndex(tenantId), finished)).toBeNull();
    expect(await suite.app.runs.get(tenantId, waiting)).toMatchObject({ status: 'queued' });
    expect(await suite.app.limits.usage(tenantId)).toEqual({ queued: 2, running: 0, stored: 2 });
  });

  describe('an Idempotency-Key whose run expired', () => {
    const claim = { key: 'nightly-report', requestHash: 'hash-a' };

    /** A run made with `claim`, finished, then left to pass its retention. */
    const expiredClaim = async (tenantId: TenantId) => {
      const first = await suite.app.runs.submit(
        tenantId,
        { id: newRunId(), agent: 'echo', input: {} },
        claim,
      );
      await suite.app.runs.start(tenantId, first.run.id);
      await succeed(suite.app, tenantId, first.run.id);
      await eventually(async () => {
        expect(await suite.app.runs.find(tenantId, first.run.id)).toBeUndefined();
      }, EXPIRY_DEADLINE_MS);
      return first.run.id;
    };

    it('should be released, so the next submission with it makes a new run', async () => {
      const tenantId = newTenantId('expired');
      const expired = await expiredClaim(tenantId);

      const again = await suite.app.runs.submit(
        tenantId,
        { id: newRunId(), agent: 'echo', input: {} },
        claim,
      );

      expect(again.replayed).toBe(false);
      expect(again.run.id).not.toBe(expired);
      const replay = await suite.app.runs.submit(
        tenantId,
        { id: newRunId(), agent: 'echo', input: {} },
        claim,
      );
      expect(replay).toMatchObject({ replayed: true, run: { id: again.run.id } });
    });

    it('should make exactly one new run of 30 concurrent submissions with it', async () => {
      const tenantId = newTenantId('expired-burst');
      const expired = await expiredClaim(tenantId);

      const submitted = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          suite
            .appFor(i)
            .runs.submit(tenantId, { id: newRunId(), agent: 'echo', input: {} }, claim),
        ),
      );

      const ids = new Set(submitted.map((s) => s.run.id));
      expect(ids.size).toBe(1);
      expect(ids.has(expired)).toBe(false);
      const replays = submitted.map((s) => s.replayed);
      expect([countOf(replays, false), countOf(replays, true)]).toEqual([1, 29]);
      expect(await suite.app.limits.usage(tenantId)).toEqual({ queued: 1, running: 0, stored: 1 });
    });
  });
});
