import { Client } from '@langchain/langgraph-sdk';
import { createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Runs of the LangGraph API at /lg, driven by the unmodified SDK', () => {
  const suite = usePlatform({ workers: 1 });
  const clientOf = async () => {
    const tenant = await createTenant(suite.platform.url, 'lg-runs');
    return new Client({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });
  };

  it('should create a run on a thread, join it for its values and read it as succeeded', async () => {
    const client = await clientOf();
    const thread = await client.threads.create();

    const run = await client.runs.create(thread.thread_id, 'ticker', {
      input: { steps: 2, intervalMs: 10 },
    });
    const values = await client.runs.join(thread.thread_id, run.run_id);
    const read = await client.runs.get(thread.thread_id, run.run_id);

    expect(run).toMatchObject({ thread_id: thread.thread_id, status: 'pending' });
    expect(values).toEqual({ steps: 2 });
    expect(read.status).toBe('success');
    expect(await client.threads.get(thread.thread_id)).toMatchObject({
      status: 'idle',
      values: { steps: 2 },
    });
  });

  it('should stream metadata, custom events, values and end, each with the run event id', async () => {
    const client = await clientOf();
    const thread = await client.threads.create();

    const parts = [];
    for await (const part of client.runs.stream(thread.thread_id, 'ticker', {
      input: { steps: 3, intervalMs: 10 },
      streamMode: ['values', 'custom'],
    })) {
      parts.push(part);
    }

    expect(parts.map((part) => part.event)).toEqual([
      'metadata',
      'custom',
      'custom',
      'custom',
      'values',
      'end',
    ]);
    expect(parts.at(-2)?.data).toEqual({ steps: 3 });
    expect(parts.at(-1)?.data).toMatchObject({ status: 'success' });
  });

  it('should answer a stateless wait with the output, and throw the error of a failed run', async () => {
    const client = await clientOf();

    const values = await client.runs.wait(null, 'echo', { input: { a: 1 } });
    const failure = await client.runs.wait(null, 'failing', { input: {} }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );

    expect(values).toEqual({ a: 1 });
    expect(failure?.message).toMatch(/failing agent failed on purpose/);
  });
});
