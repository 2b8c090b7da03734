import { ensureTestRedis } from '../../support/ensure-test-redis';

/** The medium suites run in process against real Redis; they need no build. */
export default async function globalSetup(): Promise<void> {
  await ensureTestRedis('medium');
}
