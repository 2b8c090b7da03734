import request from 'supertest';
import { bodyOf } from '../support/answers';
import { eventually } from '../support/eventually';
import {
  RunBody,
  finishedRun,
  getRun,
  isTerminalEvent,
  storedEvents,
  submitRun,
} from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Cancellation', () => {
  // Concurrency 3 per worker: six long runs of one tenant must be spread over both workers, so the
  // tenant may take the whole fleet here.
  const suite = usePlatform({
    apis: 1,
    workers: 0,
    env: { WORKER_CONCURRENCY: '3', TENANT_MAX_FLEET_SHARE: '1' },
  });
  let tenant: TestTenant;

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'cancel');
  });

  const cancel = (runId: string) =>
    request(suite.platform.url).post(`/v1/runs/${runId}/cancel`).set(bearer(tenant.key));

  it('should never start a run cancelled while queued, even once workers arrive', async () => {
    const run = await submitRun(suite.platform.url, tenant.key, { agent: 'echo', input: { x: 1 } });

    const answer = await cancel(run.id).expect(202);
    await suite.platform.startWorker();
    await suite.platform.startWorker();
    const later = await submitRun(suite.platform.url, tenant.key, { agent: 'echo', input: {} });
    await finishedRun(suite.platform.url, tenant.key, later.id);

    expect(bodyOf<RunBody>(answer).status).toBe('cancelled');
    const events = await storedEvents(suite.platform.url, tenant.key, run.id);
    expect(events.map((e) => e.type)).toEqual(['run.queued', 'run.cancelled']);
    expect((await getRun(suite.platform.url, tenant.key, run.id)).attempts).toBe(0);
  });

  it("should fire the running agent's AbortSignal within 100 ms, on whichever of two workers runs it", async () => {
    while (suite.platform.workers.length < 2) {
      await suite.platform.startWorker();
    }
    const runs = await Promise.all(
      Array.from({ length: 6 }, () =>
        submitRun(suite.platform.url, tenant.key, {
          agent: 'ticker',
          input: { steps: 10_000, intervalMs: 50 },
        }),
      ),
    );
    await eventually(async () => {
      for (const run of runs) {
        expect((await getRun(suite.platform.url, tenant.key, run.id)).status).toBe('running');
      }
    });

    await Promise.all(runs.map((run) => cancel(run.id).expect(202)));
    const finished = await Promise.all(
      runs.map((run) => finishedRun(suite.platform.url, tenant.key, run.id)),
    );

    const executedBy = new Set(runs.map((run) => workerThatRan(run.id)));
    expect(executedBy.size).toBe(2);
    for (const run of finished) {
      expect(run.status).toBe('cancelled');
      expect(
        Date.parse(String(run.finishedAt)) - Date.parse(String(run.cancelRequestedAt)),
      ).toBeLessThan(100);
    }
  });

  it('should end each of 60 runs with exactly one terminal event when cancel races completion', async () => {
    const runs = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        submitRun(suite.platform.url, tenant.key, {
          agent: 'ticker',
          input: { steps: 1, intervalMs: i % 12 },
        }),
      ),
    );

    const answers = await Promise.all(runs.map((run, i) => delayed(i % 12, () => cancel(run.id))));
    const finished = await Promise.all(
      runs.map((run) => finishedRun(suite.platform.url, tenant.key, run.id)),
    );

    expect(answers.map((a) => a.status).every((status) => status === 202 || status === 409)).toBe(
      true,
    );
    for (const [i, run] of finished.entries()) {
      const terminal = (await storedEvents(suite.platform.url, tenant.key, run.id)).filter(
        isTerminalEvent,
      );
      expect(terminal).toHaveLength(1);
      expect(terminal[0]?.type).toBe(`run.${run.status}`);
      expect(run.status).toBe(answers[i]?.status === 202 ? 'cancelled' : 'succeeded');
    }
  });

  function workerThatRan(runId: string): string | undefined {
    return suite.platform.workers.find((worker) =>
      worker.lines.some((line) => line.runId === runId && line.msg === 'run.started'),
    )?.name;
  }
});

async function delayed<T>(ms: number, act: () => PromiseLike<T>): Promise<T> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return act();
}
