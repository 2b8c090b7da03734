import { Redis } from 'ioredis';
import request from 'supertest';
import { eventually } from '../support/eventually';
import { TEST_REDIS_URL } from '../support/redis-test-prefix';
import { finishedRun, isTerminalEvent, storedEvents, submitRun } from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

/**
 * Agent code is the tenant's code: whatever it returns, emits or logs, its run ends once, cleanly,
 * and nothing it stored can make a read answer 5xx.
 */
describe('Misbehaving agents', () => {
  const suite = usePlatform();
  let tenant: TestTenant;

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'misbehave');
  });

  async function runToTheEnd(input: object) {
    const run = await submitRun(suite.platform.url, tenant.key, { agent: 'misbehave', input });
    const finished = await finishedRun(suite.platform.url, tenant.key, run.id, 15_000);
    const events = await storedEvents(suite.platform.url, tenant.key, run.id);
    return { finished, events };
  }

  it.each(['bigint', 'cycle', 'function'])(
    'should fail a run whose output is a %s once, with an error that says JSON cannot encode it',
    async (output) => {
      const { finished, events } = await runToTheEnd({ output });

      expect(finished.status).toBe('failed');
      expect(finished.attempts).toBe(1);
      expect(finished.error?.message).toMatch(/JSON/);
      expect(events.filter(isTerminalEvent).map((event) => event.type)).toEqual(['run.failed']);
    },
  );

  it('should keep answering reads of the run and its list after such a run', async () => {
    await runToTheEnd({ output: 'function' });

    await request(suite.platform.url).get('/v1/runs?limit=100').set(bearer(tenant.key)).expect(200);
  });

  it('should fail a run whose output is over RUN_OUTPUT_MAX_BYTES, naming the limit', async () => {
    const { finished } = await runToTheEnd({ output: 'huge', bytes: 300_000 });

    expect(finished.status).toBe('failed');
    expect(finished.attempts).toBe(1);
    expect(finished.error?.message).toContain('262144');
  });

  it('should refuse an emit over EVENT_MAX_BYTES and let the agent carry on', async () => {
    const { finished, events } = await runToTheEnd({ emitBytes: 70_000 });

    expect(finished.status).toBe('succeeded');
    const result = events.find((event) => event.type === 'agent.emit_result');
    expect(result?.data).toEqual({ rejected: expect.stringContaining('65536') as unknown });
    expect(events.some((event) => event.type === 'agent.big')).toBe(false);
  });

  it("should keep the context's tenantId, runId, level and time in log lines whatever fields agent code passes", async () => {
    const { finished } = await runToTheEnd({ spoofLogIds: true });

    const line = await eventually(() => {
      const found = suite.platform.logLines.find((l) => l.msg === 'misbehave.spoof');
      if (!found) {
        throw new Error('no misbehave.spoof line yet');
      }
      return found;
    });
    expect({ tenantId: line.tenantId, runId: line.runId, level: line.level }).toEqual({
      tenantId: tenant.id,
      runId: finished.id,
      level: 30,
    });
    expect(line.time).not.toBe(1);
  });

  it('should answer 200 for a run and its list even when a stored record holds unparsable JSON', async () => {
    const { finished } = await runToTheEnd({});
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await redis.hset(`${suite.prefix}:{${tenant.id}}:run:${finished.id}`, 'output', '{not json');
    } finally {
      redis.disconnect();
    }

    await request(suite.platform.url)
      .get(`/v1/runs/${finished.id}`)
      .set(bearer(tenant.key))
      .expect(200);
    await request(suite.platform.url).get('/v1/runs').set(bearer(tenant.key)).expect(200);
  });
});
