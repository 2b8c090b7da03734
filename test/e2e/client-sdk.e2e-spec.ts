import { randomUUID } from 'node:crypto';
import { Bulkhead, BulkheadAdmin, BulkheadError, RunEvent } from '@bulkhead/client';
import { closedPortUrl } from '../support/closed-port';
import { eventually } from '../support/eventually';
import { ADMIN_TOKEN, PlatformProcess } from '../support/platform';
import { allRuns, storedEvents } from '../support/runs';
import { TcpProxy, portOf } from '../support/tcp-proxy';
import { NO_TOKENS_YET, TestTenant, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const UNKNOWN_KEY = `bk_nobody_${'A'.repeat(43)}`;
const LONG_TICKER = { agent: 'ticker', input: { steps: 2_000, intervalMs: 20 } };

describe('@bulkhead/client against the platform', () => {
  const suite = usePlatform();
  const handles: Array<{ close(): Promise<void> }> = [];
  let url: string;
  let tenant: TestTenant;
  let other: TestTenant;
  let sut: Bulkhead;
  let admin: BulkheadAdmin;

  /** A client closed in afterAll. */
  const clientOf = (apiKey: string, baseUrl = url): Bulkhead => {
    const client = new Bulkhead({ baseUrl, apiKey });
    handles.push(client);
    return client;
  };

  /** The API process started last: the one serving after a restart. */
  const liveApi = (): PlatformProcess => {
    const api = suite.platform.apis.at(-1);
    if (!api) {
      throw new Error('the platform has no API process');
    }
    return api;
  };

  const socketsOnApi = async (): Promise<Record<string, number>> => (await liveApi().stats()).extra;

  /** Resolves once the API has closed every socket of earlier tests (a close reaches it a moment later). */
  const noSocketsOnApi = () =>
    eventually(async () =>
      expect(await socketsOnApi()).toMatchObject({ sockets: 0, runRoomMembers: 0 }),
    );

  beforeAll(async () => {
    url = suite.platform.url;
    [tenant, other] = await Promise.all([createTenant(url, 'sdk'), createTenant(url, 'sdk-other')]);
    sut = clientOf(tenant.key);
    admin = new BulkheadAdmin({ baseUrl: url, adminToken: ADMIN_TOKEN });
  });

  afterAll(async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.close()));
  });

  describe('agents.list', () => {
    it('should list the built-in agents with the JSON Schemas of their input', async () => {
      const agents = await sut.agents.list();

      expect(agents.map((agent) => agent.name)).toEqual(
        expect.arrayContaining(['echo', 'ticker', 'flaky', 'failing', 'probe']),
      );
      const ticker = agents.find((agent) => agent.name === 'ticker');
      expect(ticker?.description).toEqual(expect.any(String));
      expect(ticker?.inputSchema).toMatchObject({ type: 'object' });
    });
  });

  describe('runs.create and runs.get', () => {
    it('should queue a run and read it back as the server stored it', async () => {
      const created = await sut.runs.create({
        agent: 'echo',
        input: { hello: 'world' },
        metadata: { ticket: 'T-1', urgent: true },
      });
      const read = await sut.runs.get(created.id);

      expect(created).toMatchObject({
        tenantId: tenant.id,
        agent: 'echo',
        status: 'queued',
        input: { hello: 'world' },
        attempts: 0,
        metadata: { ticket: 'T-1', urgent: true },
        createdAt: expect.any(String) as unknown,
      });
      expect(read).toMatchObject({ id: created.id, tenantId: tenant.id, agent: 'echo' });
    });

    it('should answer a repeated idempotency key with the first run', async () => {
      const idempotencyKey = `sdk-${randomUUID()}`;
      const body = { agent: 'echo', input: { n: 1 } };

      const first = await sut.runs.create(body, { idempotencyKey });
      const again = await sut.runs.create(body, { idempotencyKey });

      expect(again.id).toBe(first.id);
      expect(again.createdAt).toBe(first.createdAt);
    });

    it('should throw 409 idempotency_key_reused for the same key with another request', async () => {
      const idempotencyKey = `sdk-${randomUUID()}`;
      await sut.runs.create({ agent: 'echo', input: { n: 1 } }, { idempotencyKey });

      const error = await rejectionOf(
        sut.runs.create({ agent: 'echo', input: { n: 2 } }, { idempotencyKey }),
      );

      expect(error).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
    });

    it('should throw 400 naming the input field that fails the agent schema', async () => {
      const error = await rejectionOf(
        sut.runs.create({ agent: 'ticker', input: { steps: 0, intervalMs: 1 } }),
      );

      expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
      expect(error.message).toContain('input.steps');
      expect(error.details).toEqual([
        { path: 'input.steps', message: expect.any(String) as unknown },
      ]);
    });

    it('should throw 404 run_not_found for a run of another tenant, exactly as for a missing run', async () => {
      const theirs = await clientOf(other.key).runs.create({ agent: 'echo' });

      const forTheirs = await rejectionOf(sut.runs.get(theirs.id));
      const forMissing = await rejectionOf(sut.runs.get(`${theirs.id.slice(0, -2)}AA`));

      expect(forTheirs).toMatchObject({ status: 404, code: 'run_not_found' });
      expect([forMissing.status, forMissing.code]).toEqual([forTheirs.status, forTheirs.code]);
      expect(forTheirs.message).not.toContain(other.id);
    });

    it('should throw 429 runs_per_minute with retryAfter beyond the tenant rate', async () => {
      const limited = await createTenant(url, 'sdk-rate', { runsPerMinute: 1 });
      const client = clientOf(limited.key);
      await client.runs.create({ agent: 'echo' });

      const error = await rejectionOf(client.runs.create({ agent: 'echo' }));

      expect(error).toMatchObject({ status: 429, code: 'runs_per_minute' });
      expect(error.retryAfter).toBeGreaterThan(0);
      expect(error.retryAfter).toBeLessThanOrEqual(60);
    });
  });

  describe('credentials and reachability', () => {
    it('should throw 401 unauthorized for an unknown key, without the key in the message', async () => {
      const error = await rejectionOf(clientOf(UNKNOWN_KEY).runs.list());

      expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(UNKNOWN_KEY);
    });

    it('should throw unreachable naming the server, never the key, when nothing listens there', async () => {
      const nowhere = await closedPortUrl();

      const error = await rejectionOf(clientOf(tenant.key, nowhere).agents.list());

      expect(error).toMatchObject({ status: undefined, code: 'unreachable' });
      expect(error.message).toContain(nowhere);
      expect(error.message).not.toContain(tenant.key);
    });

    it('should fail a stream with unauthorized when the socket handshake refuses the key', async () => {
      const stream = clientOf(UNKNOWN_KEY).runs.stream('run_anything');

      const error = await rejectionOf(stream.next());

      expect(error).toMatchObject({ status: undefined, code: 'unauthorized' });
      expect(error.message).not.toContain(UNKNOWN_KEY);
    });
  });

  describe('runs.list and runs.listAll', () => {
    let lister: TestTenant;
    let client: Bulkhead;
    const created: string[] = [];

    beforeAll(async () => {
      lister = await createTenant(url, 'sdk-list');
      client = clientOf(lister.key);
      for (const agent of ['echo', 'echo', 'failing', 'echo', 'echo']) {
        created.push((await client.runs.createAndWait({ agent })).id);
      }
    });

    it('should yield every run of the tenant, newest first, over more than one page', async () => {
      const firstPage = await client.runs.list({ limit: 2 });
      const listed: string[] = [];

      for await (const run of client.runs.listAll({ limit: 2 })) {
        listed.push(run.id);
      }

      expect(firstPage.items).toHaveLength(2);
      expect(firstPage.nextCursor).toEqual(expect.any(String));
      expect(listed).toEqual((await allRuns(url, lister.key)).map((run) => run.id));
      expect([...listed].sort()).toEqual([...created].sort());
    });

    it('should list only the runs of the status asked for, and end with a null cursor', async () => {
      const page = await client.runs.list({ status: 'failed' });

      expect(page.items.map((run) => run.id)).toEqual([created[2]]);
      expect(page.items[0]).not.toHaveProperty('input');
      expect(page.items[0]).toMatchObject({
        status: 'failed',
        error: { message: expect.any(String) as unknown },
      });
      expect(page.nextCursor).toBeNull();
    });
  });

  describe('runs.cancel', () => {
    it('should cancel a running run, which then ends cancelled', async () => {
      const run = await sut.runs.create(LONG_TICKER);
      await eventually(async () => expect((await sut.runs.get(run.id)).status).toBe('running'));

      const accepted = await sut.runs.cancel(run.id);
      const finished = await sut.runs.wait(run.id, { timeoutMs: 10_000 });

      expect(accepted).toMatchObject({
        id: run.id,
        cancelRequestedAt: expect.any(String) as unknown,
      });
      expect(finished.status).toBe('cancelled');
    });

    it('should throw 409 run_finished for a run that already finished', async () => {
      const run = await sut.runs.createAndWait({ agent: 'echo' });

      const error = await rejectionOf(sut.runs.cancel(run.id));

      expect(error).toMatchObject({ status: 409, code: 'run_finished' });
    });
  });

  describe('runs.events', () => {
    it('should read the stored events after `after`, at most `limit`, in id order', async () => {
      const run = await sut.runs.createAndWait({
        agent: 'ticker',
        input: { steps: 5, intervalMs: 0 },
      });

      const all = await sut.runs.events(run.id);
      const page = await sut.runs.events(run.id, { after: 2, limit: 3 });

      expect(all).toEqual(await storedEvents(url, tenant.key, run.id));
      expect(all.map((event) => event.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(page).toEqual(all.slice(2, 5));
    });
  });

  describe('runs.stream', () => {
    beforeEach(async () => {
      await noSocketsOnApi();
    });

    it('should yield exactly the stored events of a ticker run, in order, and end after the terminal event', async () => {
      const run = await sut.runs.create({ agent: 'ticker', input: { steps: 10, intervalMs: 20 } });

      const received = await collect(sut.runs.stream(run.id));

      expect(received).toEqual(await storedEvents(url, tenant.key, run.id));
      expect(received.map((event) => event.id)).toEqual(range(1, 13));
      expect(received.at(-1)?.type).toBe('run.succeeded');
    });

    it('should yield only the events after `after`', async () => {
      const run = await sut.runs.createAndWait({
        agent: 'ticker',
        input: { steps: 5, intervalMs: 0 },
      });

      const received = await collect(sut.runs.stream(run.id, { after: 4 }));

      const stored = await storedEvents(url, tenant.key, run.id);
      expect(received).toEqual(stored.filter((event) => event.id > 4));
    });

    it('should throw run_not_found for a run of another tenant', async () => {
      const theirs = await clientOf(other.key).runs.create({ agent: 'echo' });

      const error = await rejectionOf(sut.runs.stream(theirs.id).next());

      expect(error).toMatchObject({ status: undefined, code: 'run_not_found' });
    });

    it('should give two streams of one run every event each, over one socket, when the second starts late from the beginning', async () => {
      const run = await sut.runs.create(LONG_TICKER);
      const early = sut.runs.stream(run.id);
      const head = [await next(early), await next(early), await next(early), await next(early)];

      const late = collect(sut.runs.stream(run.id));
      await eventually(async () =>
        expect((await sut.runs.events(run.id)).length).toBeGreaterThan(8),
      );
      const whileBothStream = await socketsOnApi();
      await sut.runs.cancel(run.id);
      const earlyAll = [...head, ...(await collect(early))];
      const lateAll = await late;

      const stored = await storedEvents(url, tenant.key, run.id);
      expect(earlyAll).toEqual(stored);
      expect(lateAll).toEqual(stored);
      expect(stored.at(-1)?.type).toBe('run.cancelled');
      expect(whileBothStream).toMatchObject({ sockets: 1, runRoomMembers: 1 });
    });

    it('should unsubscribe and close its socket when the loop breaks', async () => {
      const run = await sut.runs.create(LONG_TICKER);
      let whileStreaming: Record<string, number> = {};

      for await (const event of sut.runs.stream(run.id)) {
        if (event.type !== 'agent.progress') {
          continue;
        }
        whileStreaming = await socketsOnApi();
        break;
      }

      expect(whileStreaming).toMatchObject({ sockets: 1, runRoomMembers: 1 });
      await noSocketsOnApi();
      await sut.runs.cancel(run.id);
    });

    it('should stop with the reason of its aborted signal, and close its socket', async () => {
      const run = await sut.runs.create(LONG_TICKER);
      const controller = new AbortController();
      const stream = sut.runs.stream(run.id, { signal: controller.signal });
      await next(stream);

      controller.abort(new Error('enough'));

      await expect(stream.next()).rejects.toThrow('enough');
      await noSocketsOnApi();
      await sut.runs.cancel(run.id);
    });

    it('should fail with unauthorized when its key is revoked mid-stream', async () => {
      const revoked = await createTenant(url, 'sdk-revoked');
      const spare = clientOf((await admin.keys.create(revoked.id)).key);
      const run = await spare.runs.create(LONG_TICKER);
      const stream = clientOf(revoked.key).runs.stream(run.id);
      await next(stream);

      await admin.keys.revoke(revoked.id, revoked.keyId);
      const error = await rejectionOf(collect(stream));

      expect(error).toMatchObject({ status: undefined, code: 'unauthorized' });
      await noSocketsOnApi();
      await spare.runs.cancel(run.id);
    });
  });

  describe('runs.wait and runs.createAndWait', () => {
    beforeEach(async () => {
      await noSocketsOnApi();
    });

    it('should resolve with the finished run, output included', async () => {
      const run = await sut.runs.create({ agent: 'ticker', input: { steps: 5, intervalMs: 20 } });

      const finished = await sut.runs.wait(run.id);

      expect(finished).toMatchObject({ id: run.id, status: 'succeeded', output: { steps: 5 } });
      expect(finished).toEqual(await sut.runs.get(run.id));
    });

    it('should answer a run that already finished from one GET, without a socket', async () => {
      const done = await sut.runs.createAndWait({ agent: 'echo', input: { v: 1 } });
      const nowhere = await closedPortUrl();
      const requested: string[] = [];
      // Its socket would dial `nowhere` and never connect; its HTTP goes to the API.
      const httpOnly = new Bulkhead({
        baseUrl: nowhere,
        apiKey: tenant.key,
        fetch: (input, init) => {
          const target = input instanceof Request ? input.url : input.toString();
          requested.push(target);
          return fetch(target.replace(nowhere, url), init);
        },
      });
      handles.push(httpOnly);

      const finished = await httpOnly.runs.wait(done.id, { timeoutMs: 5_000 });

      expect(finished).toMatchObject({ id: done.id, status: 'succeeded', output: { v: 1 } });
      expect(requested).toEqual([`${nowhere}/v1/runs/${done.id}`]);
    });

    it('should resolve createAndWait with a failed run and its error', async () => {
      const finished = await sut.runs.createAndWait({
        agent: 'failing',
        input: { message: 'no luck' },
      });

      expect(finished).toMatchObject({ status: 'failed', error: { message: 'no luck' } });
      expect(finished.attempts).toBe(3);
    });

    it('should reject with timeout after timeoutMs, naming the run, and release its socket', async () => {
      const run = await sut.runs.create(LONG_TICKER);

      const error = await rejectionOf(sut.runs.wait(run.id, { timeoutMs: 300 }));

      expect(error).toMatchObject({ status: undefined, code: 'timeout' });
      expect(error.message).toContain(run.id);
      await noSocketsOnApi();
      await sut.runs.cancel(run.id);
    });

    it('should reject with the reason of its aborted signal', async () => {
      const run = await sut.runs.create(LONG_TICKER);
      const controller = new AbortController();
      const waiting = sut.runs.wait(run.id, { signal: controller.signal });
      await eventually(async () => expect((await socketsOnApi()).runRoomMembers).toBe(1));

      controller.abort(new Error('stop waiting'));

      await expect(waiting).rejects.toThrow('stop waiting');
      await noSocketsOnApi();
      await sut.runs.cancel(run.id);
    });
  });

  describe('BulkheadAdmin', () => {
    const newId = () => `sdk-admin-${randomUUID().slice(0, 8)}`;

    it('should create a tenant with its own limits and the defaults for the others, and read it back', async () => {
      const id = newId();

      const created = await admin.tenants.create({
        id,
        name: 'Acme',
        limits: { maxConcurrentRuns: 3 },
      });

      expect(created).toEqual({
        id,
        name: 'Acme',
        createdAt: expect.any(String) as unknown,
        agents: null,
        limits: {
          maxConcurrentRuns: 3,
          maxQueuedRuns: 10_000,
          runsPerMinute: 600,
          maxStoredRuns: 10_000,
          maxTokensPerDay: null,
        },
        usage: { queued: 0, running: 0, stored: 0, tokensByDay: NO_TOKENS_YET },
      });
      expect(await admin.tenants.get(id)).toEqual(created);
    });

    it('should throw 409 tenant_exists for an id already taken', async () => {
      const id = newId();
      await admin.tenants.create({ id });

      const error = await rejectionOf(admin.tenants.create({ id }));

      expect(error).toMatchObject({ status: 409, code: 'tenant_exists' });
    });

    it('should throw 400 naming the id for an id that breaks the pattern', async () => {
      const error = await rejectionOf(admin.tenants.create({ id: 'Not Valid' }));

      expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
      expect(error.details.map((detail) => detail.path)).toContain('id');
    });

    it('should throw 404 tenant_not_found for a tenant that does not exist', async () => {
      const error = await rejectionOf(admin.tenants.get(newId()));

      expect(error).toMatchObject({ status: 404, code: 'tenant_not_found' });
    });

    it('should set a limit with a number and return it to its default with null', async () => {
      const id = newId();
      await admin.tenants.create({ id });

      const set = await admin.tenants.updateLimits(id, { runsPerMinute: 5 });
      const reset = await admin.tenants.updateLimits(id, { runsPerMinute: null });

      expect(set.limits).toEqual({
        maxConcurrentRuns: 10,
        maxQueuedRuns: 10_000,
        runsPerMinute: 5,
        maxStoredRuns: 10_000,
        maxTokensPerDay: null,
      });
      expect(reset.limits.runsPerMinute).toBe(600);
    });

    it('should limit a tenant to a list of agents and give it every agent again with null', async () => {
      const id = newId();
      await admin.tenants.create({ id });

      const limited = await admin.tenants.update(id, { agents: ['echo'] });
      const issued = await admin.keys.create(id);
      const listed = await clientOf(issued.key).agents.list();
      const open = await admin.tenants.update(id, { agents: null });

      expect(limited.agents).toEqual(['echo']);
      expect(listed.map((agent) => agent.name)).toEqual(['echo']);
      expect(open.agents).toBeNull();
    });

    it('should issue a key that works, and revoke it so that it is refused', async () => {
      const id = newId();
      await admin.tenants.create({ id });

      const issued = await admin.keys.create(id);
      const client = clientOf(issued.key);
      const before = await client.agents.list();
      const revoked = await admin.keys.revoke(id, issued.id);
      const after = await rejectionOf(client.agents.list());

      expect(issued).toEqual({
        id: expect.any(String) as unknown,
        key: expect.stringMatching(`^bk_${id}_`) as unknown,
      });
      expect(before.length).toBeGreaterThan(0);
      expect(revoked).toBeUndefined();
      expect(after).toMatchObject({ status: 401, code: 'unauthorized' });
    });

    it('should throw 404 api_key_not_found for revoking a key that does not exist', async () => {
      const id = newId();
      await admin.tenants.create({ id });

      const error = await rejectionOf(admin.keys.revoke(id, 'key_missing'));

      expect(error).toMatchObject({ status: 404, code: 'api_key_not_found' });
    });

    it("should put, list and remove a tenant's provider, never answering its key", async () => {
      const id = newId();
      await admin.tenants.create({ id });
      const apiKey = `sk-client-sdk-${randomUUID()}`;

      const put = await admin.providers.put(id, 'main', {
        type: 'openai-compatible',
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey,
      });
      const listed = await admin.providers.list(id);
      await admin.providers.remove(id, 'main');
      const removedAgain = await rejectionOf(admin.providers.remove(id, 'main'));

      expect(put).toMatchObject({
        name: 'main',
        models: [],
        priority: 100,
        enabled: true,
        keyHint: apiKey.slice(-4),
        health: { state: 'healthy' },
      });
      expect(listed).toEqual([put]);
      expect(JSON.stringify([put, listed])).not.toContain(apiKey);
      expect(await admin.providers.list(id)).toEqual([]);
      expect(removedAgain).toMatchObject({ status: 404 });
    });

    it('should throw 401 unauthorized for a wrong admin token, without the token in the message', async () => {
      const wrongToken = 'not-the-admin-token-0123456789';
      const intruder = new BulkheadAdmin({ baseUrl: url, adminToken: wrongToken });

      const error = await rejectionOf(intruder.tenants.get(tenant.id));

      expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(error.message).not.toContain(wrongToken);
    });
  });

  // Last in the file: the restart replaces the API process, and with it the platform's URL.
  describe('stream resilience', () => {
    let proxy: TcpProxy;
    let viaProxy: Bulkhead;

    beforeAll(async () => {
      proxy = await TcpProxy.start(portOf(url));
      handles.push(proxy);
      viaProxy = clientOf(tenant.key, proxy.url);
    });

    it('should yield every event exactly once, in order, when its connection is cut mid-run', async () => {
      const run = await sut.runs.create({ agent: 'ticker', input: { steps: 40, intervalMs: 50 } });
      const connectionsBefore = proxy.connectionsAccepted;
      const received: RunEvent[] = [];

      for await (const event of viaProxy.runs.stream(run.id)) {
        received.push(event);
        if (event.id === 5) {
          proxy.cutAll();
        }
      }

      expect(received).toEqual(await storedEvents(url, tenant.key, run.id));
      expect(received.map((event) => event.id)).toEqual(range(1, 43));
      expect(proxy.connectionsAccepted - connectionsBefore).toBeGreaterThanOrEqual(2);
    });

    it('should yield every event exactly once, in order, when the API it is connected to restarts mid-run', async () => {
      const run = await sut.runs.create({ agent: 'ticker', input: { steps: 40, intervalMs: 100 } });
      const stoppedApi = liveApi();
      const controller = new AbortController();
      const restart = async () => {
        await stoppedApi.stop();
        await suite.platform.startApi();
        proxy.retarget(portOf(suite.platform.urls.at(-1) ?? ''));
      };
      let restarted: Promise<void> | undefined;
      const received: RunEvent[] = [];

      for await (const event of viaProxy.runs.stream(run.id, { signal: controller.signal })) {
        received.push(event);
        if (event.id === 5) {
          restarted = restart().catch((error) => controller.abort(error));
        }
      }
      await restarted;

      const newUrl = suite.platform.urls.at(-1) ?? '';
      expect(received).toEqual(await storedEvents(newUrl, tenant.key, run.id));
      expect(received.map((event) => event.id)).toEqual(range(1, 43));
      expect(stoppedApi.lines).toContainEqual(
        expect.objectContaining({ msg: 'api.closing_sockets', sockets: 1 }),
      );
    });
  });
});

/** The error a promise rejects with, which must be a BulkheadError. */
async function rejectionOf(promise: Promise<unknown>): Promise<BulkheadError> {
  const outcome = await promise.then(
    () => new Error('expected a rejection, got a value'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof BulkheadError)) {
    throw outcome;
  }
  return outcome;
}

/** Every event until the iterator is done. */
async function collect(stream: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of stream) {
    events.push(event);
  }
  return events;
}

async function next(stream: AsyncIterator<RunEvent>): Promise<RunEvent> {
  const result = await stream.next();
  if (result.done) {
    throw new Error('the stream ended early');
  }
  return result.value;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
