import { finishedRun, isTerminalEvent, storedEvents, submitRun } from '../support/runs';
import { createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('Run duration: no run holds a worker slot past RUN_MAX_DURATION_MS', () => {
  const suite = usePlatform({ env: { RUN_MAX_DURATION_MS: '1500' } });

  it('should fail a run at the limit with code timed_out and exactly one terminal event', async () => {
    const tenant = await createTenant(suite.platform.url, 'duration');
    const run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'ticker',
      input: { steps: 100, intervalMs: 100 },
    });

    const finished = await finishedRun(suite.platform.url, tenant.key, run.id, 8_000);

    expect(finished.status).toBe('failed');
    expect(finished.error).toEqual({
      code: 'timed_out',
      message: expect.stringContaining('1500') as unknown,
    });
    expect(
      Date.parse(String(finished.finishedAt)) - Date.parse(String(finished.startedAt)),
    ).toBeLessThan(5_000);
    const events = await storedEvents(suite.platform.url, tenant.key, run.id);
    expect(events.filter(isTerminalEvent).map((event) => event.type)).toEqual(['run.failed']);
  });

  it('should end an agent that ignores its signal at the limit, refusing its later emits', async () => {
    const tenant = await createTenant(suite.platform.url, 'duration');
    const run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'misbehave',
      input: { ignoreSignalMs: 4_000 },
    });

    const finished = await finishedRun(suite.platform.url, tenant.key, run.id, 8_000);

    expect(finished.error?.code).toBe('timed_out');
    const events = await storedEvents(suite.platform.url, tenant.key, run.id);
    expect(events.at(-1)?.type).toBe('run.failed');
  });
});
