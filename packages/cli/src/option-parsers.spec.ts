import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import {
  parseEventId,
  parseJson,
  parseLimit,
  parseMetadata,
  parsePositiveInteger,
} from './option-parsers.js';

describe(parsePositiveInteger.name, () => {
  it('should accept a positive integer', () => {
    expect(parsePositiveInteger('42')).toBe(42);
  });

  it.each(['0', '-1', '1.5', '1e3', 'ten', '', ' 7', '9007199254740993'])(
    'should refuse %j with a message saying what is expected',
    (value) => {
      expect(() => parsePositiveInteger(value)).toThrow(InvalidArgumentError);
      expect(() => parsePositiveInteger(value)).toThrow(/positive integer/);
    },
  );
});

describe(parseEventId.name, () => {
  it('should accept 0, meaning from the first event', () => {
    expect(parseEventId('0')).toBe(0);
  });

  it('should refuse a negative id', () => {
    expect(() => parseEventId('-3')).toThrow(InvalidArgumentError);
  });
});

describe(parseLimit.name, () => {
  it('should keep "default" so the command can send null', () => {
    expect(parseLimit('default')).toBe('default');
  });

  it('should refuse a value that is neither a positive integer nor "default"', () => {
    expect(() => parseLimit('0')).toThrow(/or "default"/);
  });
});

describe(parseJson.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-cli-spec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should parse inline JSON', () => {
    expect(parseJson('{"steps":3}')).toEqual({ steps: 3 });
  });

  it('should read JSON from the file named after @', () => {
    const file = join(dir, 'input.json');
    writeFileSync(file, '{"steps": 2}');

    expect(parseJson(`@${file}`)).toEqual({ steps: 2 });
  });

  it('should name the file it cannot read', () => {
    expect(() => parseJson(`@${join(dir, 'missing.json')}`)).toThrow(/Cannot read .*missing\.json/);
  });

  it('should refuse text that is not JSON', () => {
    expect(() => parseJson('{steps:3}')).toThrow(/Not valid JSON/);
  });
});

describe(parseMetadata.name, () => {
  it('should accept an object of strings, numbers, booleans and null', () => {
    const metadata = { ticket: 'T-1', priority: 2, urgent: false, owner: null };

    expect(parseMetadata(JSON.stringify(metadata))).toEqual(metadata);
  });

  it('should refuse an array', () => {
    expect(() => parseMetadata('[1]')).toThrow(/JSON object/);
  });

  it('should name the key whose value is not a scalar', () => {
    expect(() => parseMetadata('{"tags":["a"]}')).toThrow(/"tags"/);
  });
});
