import { LocalRedis } from '../../scripts/local-redis';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { bulkheadTestRedis?: LocalRedis }).bulkheadTestRedis?.stop();
}
