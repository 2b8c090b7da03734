import { InvalidConfigError, parseConfig } from './app-config';

describe('parseConfig', () => {
  it('should apply defaults to an environment that sets only the admin token', () => {
    const sut = parseConfig({ BULKHEAD_ADMIN_TOKEN: 'a-long-enough-admin-token' });

    expect(sut.PORT).toBe(3000);
    expect(sut.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(sut.WORKER_CONCURRENCY).toBe(8);
  });

  it('should name every bad variable in one error', () => {
    const act = () => parseConfig({ PORT: 'eighty', WORKER_CONCURRENCY: '0' });

    expect(act).toThrow(InvalidConfigError);
    expect(act).toThrow(/PORT/);
    expect(act).toThrow(/WORKER_CONCURRENCY/);
    expect(act).toThrow(/BULKHEAD_ADMIN_TOKEN/);
  });

  it('should return a frozen object', () => {
    const sut = parseConfig({ BULKHEAD_ADMIN_TOKEN: 'a-long-enough-admin-token' });

    expect(Object.isFrozen(sut)).toBe(true);
  });
});
