import { Client } from '@langchain/langgraph-sdk';
import { eventually } from '../support/eventually';
import { RunBody, getRun } from '../support/runs';
import { TestTenant, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

/** A ticker that runs until it is stopped (a minute), and one that ends soon. */
const LONG_RUN = Object.freeze({ input: { steps: 600, intervalMs: 100 } });
const shortRun = (steps: number) => ({ input: { steps, intervalMs: 30 } });

async function statusOf(client: Client, threadId: string, runId: string): Promise<string> {
  return (await client.runs.get(threadId, runId)).status;
}

async function failureOf(promise: Promise<unknown>): Promise<{ status?: number; text?: string }> {
  return promise.then(
    () => ({}),
    (error: unknown) => error as { status?: number; text?: string },
  );
}

/**
 * Each multitask strategy with two API processes and two workers: the runs of one thread are
 * created through both APIs and taken by either worker, so the strategy holds only if the thread's
 * lane in Redis does.
 */
describe('Multitask strategies of a LangGraph thread, across API and worker processes', () => {
  const suite = usePlatform({ apis: 2, workers: 2 });
  let tenant: TestTenant;
  const clients = () =>
    suite.platform.urls.map((url) => new Client({ apiUrl: `${url}/lg`, apiKey: tenant.key }));
  const v1Run = (runId: string): Promise<RunBody> =>
    getRun(suite.platform.urls[0]!, tenant.key, runId);

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.urls[0]!, 'lg-multitask');
  });

  /** A thread with a run of LONG_RUN created through the first API and running. */
  async function busyThread(): Promise<{ threadId: string; runId: string }> {
    const [first] = clients();
    const thread = await first!.threads.create();
    const run = await first!.runs.create(thread.thread_id, 'ticker', LONG_RUN);
    await eventually(async () =>
      expect(await statusOf(first!, thread.thread_id, run.run_id)).toBe('running'),
    );
    return { threadId: thread.thread_id, runId: run.run_id };
  }

  it('should refuse a second run with reject (409) through another API while the first runs', async () => {
    const [first, second] = clients();
    const { threadId, runId } = await busyThread();

    const refused = await failureOf(
      second!.runs.create(threadId, 'echo', { input: {}, multitaskStrategy: 'reject' }),
    );
    await first!.runs.cancel(threadId, runId, true);
    const afterwards = await second!.runs.wait(threadId, 'echo', {
      input: { again: true },
      multitaskStrategy: 'reject',
    });

    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/thread_busy/);
    expect(afterwards).toEqual({ again: true });
  });

  it('should run enqueued runs one after another, in the order they were created, on any worker', async () => {
    const apis = clients();
    const thread = await apis[0]!.threads.create();

    const created = [];
    for (const steps of [1, 2, 3, 4, 5, 6]) {
      const client = apis[steps % 2]!;
      created.push(
        await client.runs.create(thread.thread_id, 'ticker', {
          ...shortRun(steps),
          multitaskStrategy: 'enqueue',
        }),
      );
    }
    const values = await Promise.all(
      created.map((run, index) => apis[index % 2]!.runs.join(thread.thread_id, run.run_id)),
    );
    const runs = await Promise.all(created.map((run) => v1Run(run.run_id)));

    expect(values).toEqual([1, 2, 3, 4, 5, 6].map((steps) => ({ steps })));
    for (const [earlier, later] of runs.slice(0, -1).map((run, i) => [run, runs[i + 1]!])) {
      expect(Date.parse(String(earlier!.finishedAt))).toBeLessThanOrEqual(
        Date.parse(String(later!.startedAt)),
      );
    }
    expect(new Set(runs.map((run) => run.status))).toEqual(new Set(['succeeded']));
    expect((await apis[1]!.threads.get(thread.thread_id)).values).toEqual({ steps: 6 });
  });

  it('should end the running run interrupted and then run the new one, with interrupt', async () => {
    const [first, second] = clients();
    const { threadId, runId } = await busyThread();

    const next = await second!.runs.create(threadId, 'ticker', {
      ...shortRun(2),
      multitaskStrategy: 'interrupt',
    });
    const values = await second!.runs.join(threadId, next.run_id);
    const [interrupted, started] = [await v1Run(runId), await v1Run(next.run_id)];

    expect(values).toEqual({ steps: 2 });
    expect(await statusOf(first!, threadId, runId)).toBe('interrupted');
    expect(Date.parse(String(interrupted.finishedAt))).toBeLessThanOrEqual(
      Date.parse(String(started.startedAt)),
    );
    expect((await first!.runs.list(threadId)).map((run) => run.run_id)).toEqual([
      next.run_id,
      runId,
    ]);
  });

  it('should cancel the running run and delete it from the thread, with rollback', async () => {
    const [first, second] = clients();
    const { threadId, runId } = await busyThread();

    const next = await second!.runs.create(threadId, 'ticker', {
      ...shortRun(3),
      multitaskStrategy: 'rollback',
    });
    const values = await second!.runs.join(threadId, next.run_id);
    const gone = await failureOf(first!.runs.get(threadId, runId));

    expect(values).toEqual({ steps: 3 });
    expect(gone.status).toBe(404);
    expect((await v1Run(runId)).status).toBe('cancelled');
    expect((await first!.runs.list(threadId)).map((run) => run.run_id)).toEqual([next.run_id]);
    expect((await first!.threads.get(threadId)).values).toEqual({ steps: 3 });
  });

  it('should cancel the running and waiting runs of a thread that is deleted', async () => {
    const [first, second] = clients();
    const { threadId, runId } = await busyThread();
    const waiting = await second!.runs.create(threadId, 'echo', {
      input: {},
      multitaskStrategy: 'enqueue',
    });

    await second!.threads.delete(threadId);

    await eventually(async () => {
      expect((await v1Run(runId)).status).toBe('cancelled');
      expect((await v1Run(waiting.run_id)).status).toBe('cancelled');
    });
    expect((await failureOf(first!.runs.get(threadId, runId))).status).toBe(404);
  });
});
