import { z } from 'zod';
import { ValidationError } from './errors';
import { parseOrThrow, tooDeepAt } from './validation';

describe(tooDeepAt.name, () => {
  it('should name the path of the first value nested deeper than the bound', () => {
    const value = { a: { b: [{ c: { d: 1 } }] } };

    expect(tooDeepAt(value, 3)).toBe('a.b.0');
  });

  it('should answer undefined for a value within the bound', () => {
    expect(tooDeepAt({ a: { b: 1 } }, 3)).toBeUndefined();
  });
});

describe(parseOrThrow.name, () => {
  it('should name only a few of thousands of unknown keys, and say how many more', () => {
    const input = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i]));

    const error = captured(() => parseOrThrow(z.strictObject({}), input, 'input'));

    expect(error.details).toEqual([
      { path: 'input', message: 'Unrecognized keys: "k0", "k1", "k2", "k3", "k4" and 1995 more' },
    ]);
  });
});

function captured(act: () => unknown): ValidationError {
  try {
    act();
  } catch (error) {
    if (error instanceof ValidationError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ValidationError');
}
