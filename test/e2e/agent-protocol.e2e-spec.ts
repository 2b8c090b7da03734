import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { errorOf } from '../support/answers';
import { SDKS } from '../support/langgraph';
import { TestTenant, admin, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

/** uuid v5 of the name in LangGraph's graph namespace, as LangGraph's own server gives them. */
const TICKER_ID = '08c82a6b-7e12-5e47-ba9d-1afe0c25818d';

describe('The LangGraph Agent Server API at /lg, driven by the unmodified SDK', () => {
  const suite = usePlatform({ workers: 0 });
  const lgUrl = () => `${suite.platform.url}/lg`;

  it('should answer GET /lg/ok without a key', async () => {
    const response = await request(suite.platform.url).get('/lg/ok').expect(200);

    expect(response.body).toEqual({ ok: true });
  });

  it.each([
    [{ thread_id: 'not/a/valid id' }, 'thread_id'],
    [{ metadata: { big: 'x'.repeat(5_000) } }, 'metadata'],
    [{ supersteps: [{ updates: [] }] }, 'supersteps'],
    [{ metadata: 'not an object' }, 'metadata'],
    [{ if_exists: 'overwrite' }, 'if_exists'],
  ])('should answer 400 naming the field for the thread %j', async (body, field) => {
    const tenant = await createTenant(suite.platform.url, 'lg-bad');

    const response = await request(suite.platform.url)
      .post('/lg/threads')
      .set('x-api-key', tenant.key)
      .send(body)
      .expect(400);

    expect(errorOf(response).details?.map((detail) => detail.path)).toContain(field);
  });

  describe.each(SDKS)('%s', (_release, Sdk) => {
    let tenant: TestTenant;
    const clientOf = (key: string | null) => new Sdk({ apiUrl: lgUrl(), apiKey: key });

    beforeAll(async () => {
      tenant = await createTenant(suite.platform.url, 'lg');
    });

    describe('assistants', () => {
      it("should list one assistant per agent the tenant may use, with LangGraph's ids", async () => {
        const assistants = await clientOf(tenant.key).assistants.search({ limit: 100 });

        const ticker = assistants.find((assistant) => assistant.graph_id === 'ticker');
        expect(ticker).toMatchObject({
          assistant_id: TICKER_ID,
          graph_id: 'ticker',
          name: 'ticker',
          metadata: { created_by: 'system' },
          version: 1,
        });
        expect(assistants.map((assistant) => assistant.graph_id)).toEqual(
          expect.arrayContaining(['chat', 'echo', 'ticker']),
        );
      });

      it('should get an assistant by its id and by its agent name alike', async () => {
        const client = clientOf(tenant.key);

        const [byId, byName] = await Promise.all([
          client.assistants.get(TICKER_ID),
          client.assistants.get('ticker'),
        ]);

        expect(byId).toEqual(byName);
        expect(byId.description).toEqual(expect.any(String));
      });

      it('should page and filter a search', async () => {
        const client = clientOf(tenant.key);

        const first = await client.assistants.search({ limit: 1, offset: 0 });
        const second = await client.assistants.search({ limit: 1, offset: 1 });
        const echo = await client.assistants.search({ graphId: 'echo' });

        expect(first).toHaveLength(1);
        expect(second).toHaveLength(1);
        expect(second[0]?.assistant_id).not.toBe(first[0]?.assistant_id);
        expect(echo.map((assistant) => assistant.graph_id)).toEqual(['echo']);
      });

      it("should answer 404 for an agent outside the tenant's list, exactly as for one that does not exist", async () => {
        const limited = await createTenant(suite.platform.url, 'lg-limited');
        await request(suite.platform.url)
          .patch(`/v1/admin/tenants/${limited.id}`)
          .set(admin)
          .send({ agents: ['echo'] })
          .expect(200);
        const client = clientOf(limited.key);

        const listed = await client.assistants.search({ limit: 100 });
        const hidden = await rejectionOf(client.assistants.get('ticker'));
        const missing = await rejectionOf(client.assistants.get('no-such-agent'));

        expect(listed.map((assistant) => assistant.graph_id)).toEqual(['echo']);
        expect(hidden.message).toMatch(/^HTTP 404/);
        expect(missing.message).toMatch(/^HTTP 404/);
      });
    });

    describe('threads', () => {
      it('should create a thread with its metadata and read it back', async () => {
        const client = clientOf(tenant.key);

        const created = await client.threads.create({ metadata: { topic: 'queues' } });
        const read = await client.threads.get(created.thread_id);

        expect(created).toMatchObject({
          thread_id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
          metadata: { topic: 'queues' },
          status: 'idle',
          values: {},
        });
        expect(read).toEqual(created);
      });

      it('should refuse an id that exists with 409, and answer the thread with ifExists do_nothing', async () => {
        const client = clientOf(tenant.key);
        const threadId = randomUUID();
        const first = await client.threads.create({ threadId, metadata: { n: 1 } });

        const again = await rejectionOf(client.threads.create({ threadId }));
        const kept = await client.threads.create({
          threadId,
          metadata: { n: 2 },
          ifExists: 'do_nothing',
        });

        expect(again.message).toMatch(/^HTTP 409/);
        expect(kept).toEqual(first);
      });

      it('should search by metadata, newest first, in pages', async () => {
        const client = clientOf(tenant.key);
        const batch = randomUUID();
        const made: string[] = [];
        for (let i = 0; i < 3; i += 1) {
          made.push((await client.threads.create({ metadata: { batch, i } })).thread_id);
        }

        const all = await client.threads.search({ metadata: { batch } });
        const second = await client.threads.search({ metadata: { batch }, limit: 1, offset: 1 });
        const one = await client.threads.search({ metadata: { batch, i: 0 } });

        expect(all.map((thread) => thread.thread_id)).toEqual([...made].reverse());
        expect(second.map((thread) => thread.thread_id)).toEqual([made[1]]);
        expect(one.map((thread) => thread.thread_id)).toEqual([made[0]]);
      });

      it("should answer 404 for another tenant's thread on get and delete, and leave it out of search", async () => {
        const other = await createTenant(suite.platform.url, 'lg-other');
        const mine = await clientOf(tenant.key).threads.create({ metadata: { owner: tenant.id } });
        const theirs = clientOf(other.key);

        const read = await rejectionOf(theirs.threads.get(mine.thread_id));
        const deleted = await rejectionOf(theirs.threads.delete(mine.thread_id));
        const found = await theirs.threads.search({ metadata: { owner: tenant.id } });

        expect(read.message).toMatch(/^HTTP 404/);
        expect(deleted.message).toMatch(/^HTTP 404/);
        expect(found).toEqual([]);
        expect((await clientOf(tenant.key).threads.get(mine.thread_id)).thread_id).toBe(
          mine.thread_id,
        );
      });

      it('should delete a thread, after which it is not found', async () => {
        const client = clientOf(tenant.key);
        const thread = await client.threads.create();

        await client.threads.delete(thread.thread_id);

        expect((await rejectionOf(client.threads.get(thread.thread_id))).message).toMatch(
          /^HTTP 404/,
        );
      });
    });

    describe('credentials', () => {
      it('should take the key as Authorization: Bearer too', async () => {
        const client = new Sdk({
          apiUrl: lgUrl(),
          apiKey: null,
          defaultHeaders: { Authorization: `Bearer ${tenant.key}` },
        });

        expect((await client.assistants.get('echo')).graph_id).toBe('echo');
      });

      it("should try the Bearer key when x-api-key is another service's key (LANGSMITH_API_KEY picked up)", async () => {
        const client = new Sdk({
          apiUrl: lgUrl(),
          apiKey: 'lsv2_pt_a-langsmith-key-0123456789',
          defaultHeaders: { Authorization: `Bearer ${tenant.key}` },
        });

        expect((await client.assistants.get('echo')).graph_id).toBe('echo');
      });

      it('should answer 401 without a key, and for a key that is not a Bulkhead key, never echoing it', async () => {
        const foreign = 'lsv2_pt_not-a-bulkhead-key-0123456789';

        const missing = await rejectionOf(clientOf(null).assistants.search());
        const wrong = await rejectionOf(clientOf(foreign).assistants.search());

        expect(missing.message).toMatch(/^HTTP 401/);
        expect(wrong.message).toMatch(/^HTTP 401/);
        expect(wrong.message).not.toContain(foreign);
      });
    });
  });
});

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
