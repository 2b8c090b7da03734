import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { errorOf } from '../support/answers';
import { FakeLlm } from '../support/fake-llm';
import { SDKS, StreamPart, countOf, openStream, partsOf } from '../support/langgraph';
import { TcpProxy, portOf } from '../support/tcp-proxy';
import { TestTenant, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const HEARTBEAT_MS = 100;
/** The keep-alive line, alone: no blank line after it, which would end an (empty) event. */
const HEARTBEAT = ': heartbeat\n';
const TICKS = 8;
/** What a ticker's stream in values and custom modes shows, event by event. */
const TICKER_EVENTS = Object.freeze([
  'metadata',
  ...Array.from({ length: TICKS }, () => 'custom'),
  'values',
  'end',
]);

function runIdOf(parts: readonly StreamPart[]): string {
  const metadata = parts.find((part) => part.event === 'metadata');
  return (metadata?.data as { run_id: string }).run_id;
}

describe('Streams of the LangGraph API at /lg: resumed, replayed, kept alive, open to browsers', () => {
  const suite = usePlatform({ workers: 1, env: { LG_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
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

  it('should refuse a malformed Last-Event-ID with 400 before any byte of a stream', async () => {
    const tenant = await createTenant(suite.platform.url, 'lg-bad-id');
    const client = new SDKS[0][1]({ apiUrl: `${suite.platform.url}/lg`, apiKey: tenant.key });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'echo', { input: {} });

    const response = await request(suite.platform.url)
      .get(`/lg/threads/${thread.thread_id}/runs/${run.run_id}/stream`)
      .set('x-api-key', tenant.key)
      .set('last-event-id', 'seven')
      .expect(400);

    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(errorOf(response).message).toMatch(/Last-Event-ID/);
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
