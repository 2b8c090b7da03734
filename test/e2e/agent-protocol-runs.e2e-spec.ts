import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bodyOf, errorOf } from '../support/answers';
import { SDKS } from '../support/langgraph';
import { createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Runs of the LangGraph API at /lg, driven by the unmodified SDK', () => {
  const suite = usePlatform({ workers: 1 });

  describe.each(SDKS)('%s', (_release, Sdk) => {
    const clientOf = async () => {
      const tenant = await createTenant(suite.platform.url, 'lg-runs');
      return new Sdk({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });
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

  it.each([
    [{ input: {} }, 'assistant_id'],
    [{ assistant_id: 'ticker', input: { steps: 'many' } }, 'input.steps'],
    [{ assistant_id: 'echo', after_seconds: 5 }, 'after_seconds'],
    [{ assistant_id: 'echo', after_seconds: -1 }, 'after_seconds'],
    [{ assistant_id: 'echo', command: { resume: true } }, 'command'],
    [{ assistant_id: 'echo', checkpoint_id: 'c1' }, 'checkpoint_id'],
    [{ assistant_id: 'echo', interrupt_before: ['node'] }, 'interrupt_before'],
    [{ assistant_id: 'echo', webhook: 'http://127.0.0.1:1/hook' }, 'webhook'],
    [{ assistant_id: 'echo', stream_mode: ['values', 'bogus'] }, 'stream_mode'],
    [{ assistant_id: 'echo', multitask_strategy: 'later' }, 'multitask_strategy'],
  ])('should answer 400 naming the field for the run %j, creating nothing', async (body, field) => {
    const tenant = await createTenant(suite.platform.url, 'lg-bad-run');

    const response = await request(suite.platform.url)
      .post('/lg/runs/wait')
      .set('x-api-key', tenant.key)
      .send(body)
      .expect(400);
    const listed = await request(suite.platform.url)
      .get('/v1/runs')
      .set('authorization', `Bearer ${tenant.key}`)
      .expect(200);

    expect(errorOf(response).details?.map((detail) => detail.path)).toContain(field);
    expect(bodyOf<{ items: unknown[] }>(listed).items).toEqual([]);
  });

  describe("another tenant's runs", () => {
    interface Ids {
      readonly thread: string;
      readonly run: string;
      readonly stateless: string;
    }
    /** Every run route: the answer must not tell another tenant's thread or run from a missing one. */
    const ROUTES = Object.freeze([
      ['POST', '/threads/:thread/runs', (id: Ids) => `/threads/${id.thread}/runs`],
      ['POST', '/threads/:thread/runs/stream', (id: Ids) => `/threads/${id.thread}/runs/stream`],
      ['POST', '/threads/:thread/runs/wait', (id: Ids) => `/threads/${id.thread}/runs/wait`],
      ['GET', '/threads/:thread/runs', (id: Ids) => `/threads/${id.thread}/runs`],
      ['GET', '/threads/:thread/runs/:run', (id: Ids) => `/threads/${id.thread}/runs/${id.run}`],
      [
        'POST',
        '/threads/:thread/runs/:run/cancel?wait=1',
        (id: Ids) => `/threads/${id.thread}/runs/${id.run}/cancel?wait=1`,
      ],
      [
        'GET',
        '/threads/:thread/runs/:run/join',
        (id: Ids) => `/threads/${id.thread}/runs/${id.run}/join`,
      ],
      [
        'GET',
        '/threads/:thread/runs/:run/stream',
        (id: Ids) => `/threads/${id.thread}/runs/${id.run}/stream`,
      ],
      ['GET', '/runs/:stateless/stream', (id: Ids) => `/runs/${id.stateless}/stream`],
      [
        'GET',
        '/threads/:stateless/runs/:stateless/stream',
        (id: Ids) => `/threads/${id.stateless}/runs/${id.stateless}/stream`,
      ],
    ] as const);

    it.each(ROUTES)(
      'should answer %s /lg%s with 404 exactly as for a missing one, before any byte of a stream',
      async (method, _route, pathOf) => {
        const [owner, stranger] = await Promise.all([
          createTenant(suite.platform.url, 'lg-owner'),
          createTenant(suite.platform.url, 'lg-stranger'),
        ]);
        const client = new SDKS[0][1]({ apiUrl: `${suite.platform.url}/lg`, apiKey: owner.key });
        const thread = await client.threads.create();
        const run = await client.runs.create(thread.thread_id, 'ticker', {
          input: { steps: 50, intervalMs: 100 },
        });
        const stateless = await client.runs.create(null, 'echo', { input: {} });
        const ask = (ids: Ids) => {
          const path = `/lg${pathOf(ids)}`;
          const asked = request(suite.platform.url);
          const sent = method === 'GET' ? asked.get(path) : asked.post(path);
          return sent
            .set('x-api-key', stranger.key)
            .send(method === 'POST' ? { assistant_id: 'echo', input: {} } : undefined);
        };

        const theirs = await ask({
          thread: thread.thread_id,
          run: run.run_id,
          stateless: stateless.run_id,
        });
        const missing = await ask({
          thread: randomUUID(),
          run: `run_${randomUUID()}`,
          stateless: `run_${randomUUID()}`,
        });

        expect(theirs.status).toBe(404);
        expect(theirs.headers['content-type']).toMatch(/^application\/json/);
        expect(missing.status).toBe(404);
        expect(errorOf(theirs).code).toBe(errorOf(missing).code);
        expect((await client.runs.get(thread.thread_id, run.run_id)).status).toMatch(
          /^(pending|running)$/,
        );
        await client.runs.cancel(thread.thread_id, run.run_id);
      },
    );
  });
});
