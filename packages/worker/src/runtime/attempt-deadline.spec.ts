import { remainingMs, runLimitMs } from './attempt-deadline';

describe(runLimitMs.name, () => {
  it("should take the agent's own timeout when it is shorter than the platform's", () => {
    expect(runLimitMs(5_000, 3_600_000)).toBe(5_000);
  });

  it("should cap an agent's timeout at RUN_MAX_DURATION_MS", () => {
    expect(runLimitMs(7_200_000, 3_600_000)).toBe(3_600_000);
  });

  it('should apply RUN_MAX_DURATION_MS to an agent that declares none', () => {
    expect(runLimitMs(undefined, 3_600_000)).toBe(3_600_000);
  });
});

describe(remainingMs.name, () => {
  it('should leave a later attempt only what the run has not spent', () => {
    expect(remainingMs(60_000, 45_000)).toBe(15_000);
  });

  it('should leave nothing once the run has outlived its limit', () => {
    expect(remainingMs(60_000, 90_000)).toBe(0);
  });

  it('should give the whole limit when the elapsed time is unreadable', () => {
    expect(remainingMs(60_000, Number.NaN)).toBe(60_000);
  });
});
