import { SubscribeAllowance } from './subscribe-allowance';

describe(SubscribeAllowance.name, () => {
  const start = 1_000_000;

  it('should allow perMinute subscribes at once, then refuse', () => {
    const sut = new SubscribeAllowance(3, start);

    const answers = [sut.take(start), sut.take(start), sut.take(start), sut.take(start)];

    expect(answers).toEqual([true, true, true, false]);
  });

  it('should give one subscribe back every 60 / perMinute seconds, up to perMinute', () => {
    const sut = new SubscribeAllowance(6, start);
    for (let i = 0; i < 6; i += 1) {
      sut.take(start);
    }

    const beforeTenSeconds = sut.take(start + 9_999);
    const atTenSeconds = sut.take(start + 10_000);
    const afterAnHour = [1, 2, 3, 4, 5, 6, 7].map(() => sut.take(start + 3_600_000));

    expect(beforeTenSeconds).toBe(false);
    expect(atTenSeconds).toBe(true);
    expect(afterAnHour).toEqual([true, true, true, true, true, true, false]);
  });

  it('should say how many seconds until the next subscribe is allowed', () => {
    const sut = new SubscribeAllowance(2, start);
    sut.take(start);
    sut.take(start);

    expect(sut.secondsUntilNext(start)).toBe(30);
    expect(sut.secondsUntilNext(start + 29_500)).toBe(1);
    expect(sut.secondsUntilNext(start + 30_000)).toBe(0);
  });
});
