import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { bodyOf, errorOf } from '../support/answers';
import { eventually } from '../support/eventually';
import { FakeLlm } from '../support/fake-llm';
import { SDKS, StreamPart, countOf, openStream, partsOf } from '../support/langgraph';
import { TcpProxy, portOf } from '../support/tcp-proxy';
import { allRuns, getRun } from '../support/runs';
import { IssuedKey, TestTenant, admin, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const HEARTBEAT_MS = 100;
/** The keep-alive line, alone: no blank line after it, which would end an (empty) event. */
const HEARTBEAT = ': heartbeat\n';
const TICKS = 8;
const STREAMS_PER_TENANT = 3;
/** What a ticker's stream in values and custom modes shows, event by event. */
const TICKER_EVENTS = Object.freeze([
  'metadata',
  ...Array.from({ length: TICKS }, () => 'custom'),
  'values',
  'end',
]);

/** Sends a raw HTTP request and closes the connection at once, before any answer. */
async function sendThenHangUp(port: number, text: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.end(text);
  socket.destroy();
}

function runIdOf(parts: readonly StreamPart[]): string {
  const metadata = parts.find((part) => part.event === 'metadata');
  return (metadata?.data as { run_id: string }).run_id;
}

describe('Streams of the LangGraph API at /lg: resumed, replayed, kept alive, open to browsers', () => {
  const suite = usePlatform({
    workers: 1,
    env: {
      LG_HEARTBEAT_MS: String(HEARTBEAT_MS),
      LG_MAX_STREAMS_PER_TENANT: String(STREAMS_PER_TENANT),
    },
  });
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await TcpProxy.start(portOf(suite.platform.url));
  });

  afterAll(async () => {
    await proxy.close();
  });

  describe.each(SDKS)('%s', (_release, Sdk) => {
    let tenant: TestTenant;
    const direct = () => new Sdk({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });
    const throughProxy = () => new Sdk({ apiUrl: `${proxy.url}/lg`, apiKey: tenant.key });
    const tickerRun = {
      input: { steps: TICKS, intervalMs: 150 },
      streamMode: ['values' as const, 'custom' as const],
    };

    beforeAll(async () => {
      tenant = await createTenant(suite.platform.url, 'lg-streams');
    });

    it("should resume a stream cut mid-way through the SDK's own reconnection, with exactly the events of an uninterrupted one", async () => {
      const client = throughProxy();
      const thread = await client.threads.create();
      let connectionsAtCut = Number.POSITIVE_INFINITY;

      const parts = await partsOf(
        client.runs.stream(thread.thread_id, 'ticker', tickerRun),
        (_part, index) => {
          if (index === 3) {
            connectionsAtCut = proxy.connectionsAccepted;
            proxy.cutAll();
          }
        },
      );
      const replay = await partsOf(
        direct().runs.joinStream(thread.thread_id, runIdOf(parts), { lastEventId: '-1' }),
      );

      expect(proxy.connectionsAccepted).toBeGreaterThan(connectionsAtCut);
      expect(parts.map((part) => part.event)).toEqual(TICKER_EVENTS);
      expect(parts).toEqual(replay);
    });

    it('should replay a finished run with joinStream from "-1" exactly as it streamed live', async () => {
      const client = direct();
      const thread = await client.threads.create();

      const live = await partsOf(client.runs.stream(thread.thread_id, 'ticker', tickerRun));
      const replay = await partsOf(
        client.runs.joinStream(thread.thread_id, runIdOf(live), { lastEventId: '-1' }),
      );

      expect(live.map((part) => part.event)).toEqual(TICKER_EVENTS);
      expect(replay).toEqual(live);
    });

    it('should resume a stateless stream after an id, and end a finished one joined live at once', async () => {
      const client = direct();
      const live = await partsOf(client.runs.stream(null, 'ticker', tickerRun));
      const runId = runIdOf(live);

      const afterThird = await partsOf(
        client.runs.joinStream(null, runId, { lastEventId: String(live[2]?.id) }),
      );
      const joinedLive = await partsOf(client.runs.joinStream(null, runId));

      expect(afterThird.map((part) => part.event)).toEqual(TICKER_EVENTS.slice(3));
      expect(joinedLive.map((part) => part.event)).toEqual(['end']);
    });
  });

  it('should send a heartbeat comment at least every LG_HEARTBEAT_MS while a run goes on, then end', async () => {
    const tenant = await createTenant(suite.platform.url, 'lg-beat');
    const client = new SDKS[0][1]({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'ticker', {
      input: { steps: 600, intervalMs: 100 },
    });

    const stream = await openStream(
      `${suite.platform.url}/lg/threads/${thread.thread_id}/runs/${run.run_id}/stream`,
      { 'x-api-key': tenant.key, 'last-event-id': '-1' },
    );
    const beating = await stream.readUntil((text) => countOf(text, HEARTBEAT) >= 3);
    await client.runs.cancel(thread.thread_id, run.run_id);
    const whole = await stream.readUntil(() => false);

    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(countOf(beating, HEARTBEAT)).toBeGreaterThanOrEqual(3);
    expect(whole).not.toContain(`${HEARTBEAT}\n`);
    expect(whole).toMatch(/event: end\ndata: \{"run_id":"[^"]+","status":"interrupted"\}\n\n$/);
  });

  it("should stream the chat agent's tokens as messages in messages-tuple mode", async () => {
    const fake = await FakeLlm.start();
    try {
      const tenant = await createTenant(suite.platform.url, 'lg-chat');
      await fake.provideFor(suite.platform.url, tenant.id, {
        name: 'p1',
        apiKey: `fake-ok-${randomUUID()}`,
      });
      const client = new SDKS[0][1]({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });

      const parts = await partsOf(
        client.runs.stream(null, 'chat', {
          input: { messages: [{ role: 'user', content: 'hello over there' }] },
          streamMode: ['messages-tuple', 'values'],
        }),
      );
      const messages = parts.filter((part) => part.event === 'messages');
      const chunks = messages.map((part) => (part.data as [{ type: string; content: string }])[0]);

      expect(chunks.length).toBeGreaterThan(0);
      expect(chunks.every((chunk) => chunk.type === 'AIMessageChunk')).toBe(true);
      expect(chunks.map((chunk) => chunk.content).join('')).toBe('You said: hello over there');
      expect(parts.at(-2)).toMatchObject({
        event: 'values',
        data: { message: { role: 'assistant', content: 'You said: hello over there' } },
      });
    } finally {
      await fake.stop();
    }
  });

  it('should end the streams and joins of a revoked key with an unauthorized error, leaving the run to go on', async () => {
    const tenant = await createTenant(suite.platform.url, 'lg-revoked');
    const client = new SDKS[0][1]({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'ticker', {
      input: { steps: 600, intervalMs: 100 },
    });
    const other = await request(suite.platform.url)
      .post(`/v1/admin/tenants/${tenant.id}/keys`)
      .set(admin)
      .expect(201);
    const [api] = suite.platform.apis;
    const answersHeld = async () => (await api!.stats()).extra.lgAnswers;

    const streamed = partsOf(client.runs.joinStream(thread.thread_id, run.run_id));
    const joined = client.runs.join(thread.thread_id, run.run_id);
    await eventually(async () => expect(await answersHeld()).toBe(2));
    await request(suite.platform.url)
      .delete(`/v1/admin/tenants/${tenant.id}/keys/${tenant.keyId}`)
      .set(admin)
      .expect(204);

    const revoked = { error: 'unauthorized', message: expect.stringMatching(/revoked/) as unknown };
    expect((await streamed).at(-1)).toMatchObject({ event: 'error', data: revoked });
    expect(await joined).toEqual({ __error__: revoked });
    expect(await answersHeld()).toBe(0);
    const otherKey = bodyOf<IssuedKey>(other).key;
    expect((await getRun(suite.platform.url, otherKey, run.run_id)).status).toBe('running');
    await new SDKS[0][1]({ apiUrl: `${suite.platform.url}/lg`, apiKey: otherKey }).runs.cancel(
      thread.thread_id,
      run.run_id,
    );
  });

  it(`should refuse a stream beyond ${STREAMS_PER_TENANT} per tenant with 429 before any byte, and take one once another closed`, async () => {
    const tenant = await createTenant(suite.platform.url, 'lg-bound');
    const client = new SDKS[0][1]({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'ticker', {
      input: { steps: 600, intervalMs: 100 },
    });
    const url = `${suite.platform.url}/lg/threads/${thread.thread_id}/runs/${run.run_id}/stream`;
    const open = () => openStream(url, { 'x-api-key': tenant.key });

    const held = await Promise.all(Array.from({ length: STREAMS_PER_TENANT }, open));
    const refused = await open();
    const refusal = await refused.readUntil(() => false);
    await held[0]!.close();
    const taken = await eventually(async () => {
      const next = await open();
      if (next.status !== 200) {
        await next.close();
      }
      expect(next.status).toBe(200);
      return next;
    });
    await client.runs.cancel(thread.thread_id, run.run_id);
    const ends = await Promise.all([...held.slice(1), taken].map((s) => s.readUntil(() => false)));

    expect(held.map((stream) => stream.status)).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(refusal)).toMatchObject({ code: 'too_many_streams' });
    expect(ends.every((text) => text.includes('event: end'))).toBe(true);
  });

  it.each([
    ['malformed', 'seven'],
    ["after the run's last event", '1000'],
  ])('should refuse a Last-Event-ID %s with 400 before any byte of a stream', async (_case, id) => {
    const tenant = await createTenant(suite.platform.url, 'lg-bad-id');
    const client = new SDKS[0][1]({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'ticker', {
      input: { steps: 600, intervalMs: 100 },
    });

    const response = await request(suite.platform.url)
      .get(`/lg/threads/${thread.thread_id}/runs/${run.run_id}/stream`)
      .set('x-api-key', tenant.key)
      .set('last-event-id', id)
      .expect(400);
    await client.runs.cancel(thread.thread_id, run.run_id);

    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(errorOf(response).details?.map((detail) => detail.path)).toEqual(['Last-Event-ID']);
  });

  it('should release every stream whose client went away before its first byte, and cancel its run when asked', async () => {
    const tenant = await createTenant(suite.platform.url, 'lg-gone');
    const [api] = suite.platform.apis;
    const body = JSON.stringify({
      assistant_id: 'ticker',
      input: { steps: 600, intervalMs: 100 },
      on_disconnect: 'cancel',
    });

    await Promise.all(
      Array.from({ length: 20 }, () =>
        sendThenHangUp(
          portOf(suite.platform.url),
          [
            'POST /lg/runs/stream HTTP/1.1',
            'host: 127.0.0.1',
            `x-api-key: ${tenant.key}`,
            'content-type: application/json',
            `content-length: ${Buffer.byteLength(body)}`,
            '',
            body,
          ].join('\r\n'),
        ),
      ),
    );

    await eventually(async () => expect((await api!.stats()).extra.lgAnswers).toBe(0), 10_000);
    const runs = await eventually(async () => {
      const listed = await allRuns(suite.platform.url, tenant.key);
      expect(listed.map((run) => run.status)).toEqual(listed.map(() => 'cancelled'));
      return listed;
    }, 10_000);

    expect(runs.length).toBeLessThanOrEqual(20);
  });

  it("should answer a browser's preflight for /lg, expose Location on a stream, and leave /v1 without CORS", async () => {
    const tenant = await createTenant(suite.platform.url, 'lg-cors');
    const origin = 'http://app.example.test';

    const preflight = await request(suite.platform.url)
      .options('/lg/threads/t/runs/stream')
      .set('origin', origin)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'x-api-key, content-type, last-event-id')
      .expect(204);
    const streamed = await request(suite.platform.url)
      .post('/lg/runs/stream')
      .set('origin', origin)
      .set('x-api-key', tenant.key)
      .send({ assistant_id: 'echo', input: { a: 1 } })
      .expect(200);
    const v1 = await request(suite.platform.url)
      .options('/v1/runs')
      .set('origin', origin)
      .set('access-control-request-method', 'POST');

    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/x-api-key.*last-event-id/);
    expect(streamed.headers['access-control-allow-origin']).toBe('*');
    expect(streamed.headers['access-control-expose-headers']).toMatch(/Content-Location, Location/);
    expect(streamed.headers['location']).toMatch(
      /^\/threads\/run_[^/]+\/runs\/run_[^/]+\/stream\?after=0$/,
    );
    expect(v1.headers['access-control-allow-origin']).toBeUndefined();
  });
});
