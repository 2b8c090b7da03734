import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { exitOnFailure } from '../../scripts/exit-on-failure';

/**
 * Baseline for event latency: emits `count` messages to room "bench" at `perSecond`, each stamped with
 * when it was sent, through @socket.io/redis-emitter (as Bulkhead's worker side reaches sockets through
 * Redis). argv: redis url, channel prefix, count, perSecond.
 */
const [
  redisUrl = 'redis://127.0.0.1:6379',
  channelPrefix = 'bh-bench',
  count = '1000',
  rate = '1000',
] = process.argv.slice(2);

async function main(): Promise<void> {
  const redis = new Redis(redisUrl);
  const emitter = new Emitter(redis, { key: channelPrefix });
  const total = Number(count);
  const intervalMs = 1000 / Number(rate);
  const started = Date.now();
  for (let sent = 0; sent < total; sent += 1) {
    const due = started + sent * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    emitter.to('bench').emit('bench.event', { seq: sent, sentAt: Date.now() });
  }
  await redis.quit();
  process.stdout.write(`${JSON.stringify({ msg: 'bench.sent', count: total })}\n`);
}

main().catch(exitOnFailure);
