import request from 'supertest';
import { LocalRedis, startLocalRedis } from '../../scripts/local-redis';
import { eventually } from '../support/eventually';
import { Platform } from '../support/platform';

describe('Health and readiness', () => {
  let redis: LocalRedis;
  let platform: Platform;

  beforeAll(async () => {
    redis = await startLocalRedis();
    platform = await Platform.start({
      prefix: 'bh-health',
      workers: 0,
      env: { REDIS_URL: redis.url },
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await redis?.stop();
  });

  it('should stay live but answer /readyz 503 with the reason within 2 s of losing Redis, and 200 once it is back', async () => {
    await request(platform.url).get('/readyz').expect(200, { status: 'ready' });

    await redis.stop();
    const started = Date.now();
    const notReady = await request(platform.url).get('/readyz').expect(503);

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(notReady.body).toMatchObject({
      statusCode: 503,
      code: 'unavailable',
      message: expect.stringContaining('Redis') as unknown,
    });
    await request(platform.url).get('/healthz').expect(200, { status: 'ok' });
    redis = await startLocalRedis({ port: redis.port });
    await eventually(() => request(platform.url).get('/readyz').expect(200), 10_000, 100);
  });
});
