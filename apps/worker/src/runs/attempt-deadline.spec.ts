import { attemptLimitMs } from './attempt-deadline';

describe(attemptLimitMs.name, () => {
  it("should take the agent's own timeout when it is shorter than the platform's", () => {
    expect(attemptLimitMs(5_000, 3_600_000)).toBe(5_000);
  });

  it("should cap an agent's timeout at RUN_MAX_DURATION_MS", () => {
    expect(attemptLimitMs(7_200_000, 3_600_000)).toBe(3_600_000);
  });

  it('should apply RUN_MAX_DURATION_MS to an agent that declares none', () => {
    expect(attemptLimitMs(undefined, 3_600_000)).toBe(3_600_000);
  });
});
