import { scanSource } from './module-state-scanner';

const rulesIn = (text: string) => scanSource('fixture.ts', text).map((f) => `${f.rule}:${f.name}`);

describe('scanSource', () => {
  it.each([
    ['a module-level let', 'let current: string | undefined;', 'module-let:current'],
    ['a module-level var', 'var count = 0;', 'module-let:count'],
    [
      'a module-level Map written to',
      'const runs = new Map();\nexport function f() { runs.set(1, 2); }',
      'module-mutable-collection:runs',
    ],
    [
      'a module-level array pushed to',
      'const seen: string[] = [];\nfunction f() { seen.push("x"); }',
      'module-mutable-collection:seen',
    ],
    [
      'a module-level object assigned into',
      'const cache = {} as Record<string, number>;\nfunction f() { cache["a"] = 1; }',
      'module-mutable-collection:cache',
    ],
    [
      'a module-level Map handed to every connection',
      'const shared = new Map();\nexport function auth(socket: { data: { subs: unknown } }) { socket.data.subs = shared; }',
      'module-mutable-collection:shared',
    ],
    [
      'a module-level Set never written here',
      'const seen = new Set<string>();',
      'module-mutable-collection:seen',
    ],
    [
      'a module-level array returned to callers',
      'const listeners: string[] = [];\nexport function all() { return listeners; }',
      'module-mutable-collection:listeners',
    ],
    [
      'a static mutable field',
      'class Manager { static instance: Manager; }',
      'mutable-static:instance',
    ],
    [
      'a static readonly Map',
      'class Bus { static readonly listeners = new Map(); }',
      'mutable-static:listeners',
    ],
    [
      'a getInstance method',
      'class Manager { getInstance() { return 1; } }',
      'get-instance:getInstance',
    ],
  ])('should flag %s', (_case, text, expected) => {
    expect(rulesIn(text)).toContain(expected);
  });

  it.each([
    [
      'a frozen constant table',
      'const STATUS = Object.freeze({ a: 1 });\nfunction f() { return STATUS.a; }',
    ],
    [
      'a const literal that is only read',
      'const CODES = { a: 400 };\nfunction f() { return CODES.a; }',
    ],
    ['a local let inside a function', 'function f() { let x = 1; x += 1; return x; }'],
    [
      'an instance field of a provider',
      'class Store { private readonly runs = new Map(); add() { this.runs.set(1, 1); } }',
    ],
    ['a static factory method', 'class ConfigModule { static withConfig() { return {}; } }'],
    ['a static readonly primitive', 'class Limits { static readonly MAX = 10; }'],
  ])('should not flag %s', (_case, text) => {
    expect(rulesIn(text)).toEqual([]);
  });
});
