import { Redis } from 'ioredis';
import { EventClient } from '../support/event-client';
import { TEST_REDIS_URL } from '../support/redis-test-prefix';
import { createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

/** Seats are renewed, and each key's liveness checked, every 10 s. */
const SEAT_HEARTBEAT_MS = 10_000;

describe('Revocation: a revoked key keeps no socket, even when its broadcast is lost', () => {
  const suite = usePlatform({ workers: 0 });

  it("should disconnect a key's sockets within a seat heartbeat when the key is gone without a broadcast", async () => {
    const tenant = await createTenant(suite.platform.url, 'revoke');
    const client = await EventClient.connect(suite.platform.url, tenant.key);
    const disconnected = client.disconnected();
    const redis = new Redis(TEST_REDIS_URL);

    // What a revocation does to Redis, without the broadcast that would drop the socket at once.
    try {
      await redis.hdel(`${suite.prefix}:{${tenant.id}}:apikeys`, tenant.keyId);
    } finally {
      redis.disconnect();
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('still connected'), 2.5 * SEAT_HEARTBEAT_MS);
    });
    const reason = await Promise.race([disconnected, deadline]);
    clearTimeout(timer);
    client.close();

    expect(reason).toBe('io server disconnect');
  });
});
