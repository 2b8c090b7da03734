import { encodeOutput } from './attempt-output';

describe(encodeOutput.name, () => {
  it('should encode plain data, and an absent result as null', () => {
    expect(encodeOutput({ steps: 3 }, 1_000)).toEqual({ ok: true, json: '{"steps":3}' });
    expect(encodeOutput(undefined, 1_000)).toEqual({ ok: true, json: 'null' });
  });

  it.each([
    ['a BigInt', { count: 10n }],
    ['a function', () => 1],
    [
      'a cycle',
      (() => {
        const c: Record<string, unknown> = {};
        c.self = c;
        return c;
      })(),
    ],
  ])('should refuse %s with output_not_json', (_, output) => {
    const encoded = encodeOutput(output, 1_000);

    expect(encoded).toMatchObject({ ok: false, error: { code: 'output_not_json' } });
  });

  it('should refuse an output over the limit, naming it', () => {
    const encoded = encodeOutput({ text: 'x'.repeat(2_000) }, 1_024);

    expect(encoded).toMatchObject({
      ok: false,
      error: { code: 'output_too_large', message: expect.stringContaining('1024') as unknown },
    });
  });
});
