import request from 'supertest';
import { PageAnswer, bodyOf, errorOf } from '../support/answers';
import { inBatches } from '../support/fleet';
import { finishedRun, getRun, storedEvents, submitRun } from '../support/runs';
import { bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

const KIB = 1024;

describe('Payload bounds: what one tenant stores cannot make an answer huge', () => {
  const suite = usePlatform();

  it('should refuse an input over RUN_INPUT_MAX_BYTES with 413 input_too_large naming the limit', async () => {
    const tenant = await createTenant(suite.platform.url, 'bounds');

    const response = await request(suite.platform.url)
      .post('/v1/runs')
      .set(bearer(tenant.key))
      .send({ agent: 'echo', input: { text: 'x'.repeat(70 * KIB) } })
      .expect(413);

    const error = errorOf(response);
    expect(error.code).toBe('input_too_large');
    expect(error.message).toContain('65536');
  });

  it('should measure the input as it is stored, which can be larger than the body sent', async () => {
    const tenant = await createTenant(suite.platform.url, 'bounds');
    // 5,000 × "1e20" is about 25 KiB sent and about 105 KiB once stored ("100000000000000000000").
    const body = `{"agent":"echo","input":{"x":[${Array.from({ length: 5_000 }, () => '1e20').join(',')}]}}`;

    const response = await request(suite.platform.url)
      .post('/v1/runs')
      .set({ ...bearer(tenant.key), 'content-type': 'application/json' })
      .send(body)
      .expect(413);

    expect(errorOf(response).code).toBe('input_too_large');
  });

  it('should answer list pages with run summaries, without input or output', async () => {
    const tenant = await createTenant(suite.platform.url, 'bounds');
    const submitted = await submitRun(suite.platform.url, tenant.key, {
      agent: 'echo',
      input: { text: 'x'.repeat(10 * KIB) },
      metadata: { ticket: 'T-1' },
    });
    await finishedRun(suite.platform.url, tenant.key, submitted.id);

    const page = await request(suite.platform.url)
      .get('/v1/runs')
      .set(bearer(tenant.key))
      .expect(200);

    const [summary] = bodyOf<PageAnswer<Record<string, unknown>>>(page).items;
    expect(summary).toMatchObject({
      id: submitted.id,
      agent: 'echo',
      status: 'succeeded',
      attempts: 1,
      metadata: { ticket: 'T-1' },
    });
    expect(summary).not.toHaveProperty('input');
    expect(summary).not.toHaveProperty('output');
    const full = await getRun(suite.platform.url, tenant.key, submitted.id);
    expect(full.input).toEqual({ text: 'x'.repeat(10 * KIB) });
  });

  it('should keep a page of 100 runs with the largest inputs allowed under 2 MiB', async () => {
    const tenant = await createTenant(suite.platform.url, 'bounds');
    const input = { text: 'x'.repeat(60 * KIB) };
    await inBatches(Array.from({ length: 100 }), 10, () =>
      submitRun(suite.platform.url, tenant.key, { agent: 'echo', input }),
    );

    const page = await request(suite.platform.url)
      .get('/v1/runs?limit=100')
      .set(bearer(tenant.key))
      .expect(200);

    expect(bodyOf<PageAnswer<unknown>>(page).items).toHaveLength(100);
    expect(Buffer.byteLength(page.text)).toBeLessThan(2 * KIB * KIB);
  });

  it('should stop an events page at about 1 MiB, the rest following after its last id', async () => {
    const tenant = await createTenant(suite.platform.url, 'bounds');
    const run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'misbehave',
      input: { emitBytes: 60 * KIB, emitCount: 30 },
    });
    await finishedRun(suite.platform.url, tenant.key, run.id, 20_000);

    const first = await request(suite.platform.url)
      .get(`/v1/runs/${run.id}/events?limit=1000`)
      .set(bearer(tenant.key))
      .expect(200);

    expect(Buffer.byteLength(first.text)).toBeLessThan(1.2 * KIB * KIB);
    const { items } = bodyOf<PageAnswer<{ id: number }>>(first);
    const rest = await storedEvents(suite.platform.url, tenant.key, run.id, items.at(-1)?.id);
    // run.queued, run.started, 30 × agent.big, agent.emit_result, run.succeeded
    expect(items.length + rest.length).toBe(34);
  });

  it('should answer a body with a thousand invalid fields with at most 20 issues in a few KiB', async () => {
    const tenant = await createTenant(suite.platform.url, 'bounds');
    const metadata = Object.fromEntries(
      Array.from({ length: 1_000 }, (_, i) => [`k${i}`, { nested: 1 }]),
    );

    const response = await request(suite.platform.url)
      .post('/v1/runs')
      .set(bearer(tenant.key))
      .send({ agent: 'echo', metadata })
      .expect(400);

    expect(errorOf(response).details?.length).toBeLessThanOrEqual(20);
    expect(Buffer.byteLength(response.text)).toBeLessThan(8 * KIB);
  });

  it('should keep the answer for a thousand unknown keys to a few KiB', async () => {
    const tenant = await createTenant(suite.platform.url, 'bounds');
    const input = Object.fromEntries(
      Array.from({ length: 1_000 }, (_, i) => [`unknown_${'k'.repeat(40)}_${i}`, 1]),
    );

    const response = await request(suite.platform.url)
      .post('/v1/runs')
      .set(bearer(tenant.key))
      .send({ agent: 'ticker', input: { steps: 1, ...input } })
      .expect(400);

    expect(errorOf(response).code).toBe('invalid_request');
    expect(Buffer.byteLength(response.text)).toBeLessThan(8 * KIB);
  });
});
