import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
// A statement's module, unless the whole statement is `import type` (erased when compiled).
const IMPORT =
  /^(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'|(?:require|import)\('([^']+)'\)/gms;

/**
 * Every file the entry reaches through its imports, every package it names on the way, and which
 * files name each package.
 */
function importGraph(entry: string): {
  files: string[];
  packages: Set<string>;
  importers: Map<string, Set<string>>;
} {
  const files = new Set<string>();
  const packages = new Set<string>();
  const importers = new Map<string, Set<string>>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) {
      continue;
    }
    files.add(file);
    for (const [, statement, bare, call] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = statement ?? bare ?? call ?? '';
      const source = sourceOf(file, specifier);
      if (source) {
        pending.push(source);
      } else {
        const name = packageOf(specifier);
        packages.add(name);
        importers.set(name, (importers.get(name) ?? new Set()).add(relative(ROOT, file)));
      }
    }
  }
  return { files: [...files].map((file) => relative(ROOT, file)), packages, importers };
}

function sourceOf(from: string, specifier: string): string | undefined {
  const bulkhead = /^@bulkhead\/([a-z-]+)(\/testing)?$/.exec(specifier);
  if (bulkhead) {
    const base = bulkhead[1] === 'worker' ? 'packages/worker/src' : `libs/${bulkhead[1]}/src`;
    return join(ROOT, base, bulkhead[2] ? 'testing.ts' : 'index.ts');
  }
  if (!specifier.startsWith('.')) {
    return undefined;
  }
  const path = resolve(dirname(from), specifier);
  return [`${path}.ts`, join(path, 'index.ts')].find((candidate) => existsSync(candidate));
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const HTTP_SERVERS = ['fastify', 'express', 'socket.io', '@nestjs/platform-fastify'];
/** The one HTTP listener a worker may open: its metrics, on METRICS_PORT (off by default). */
const METRICS_LISTENER = 'packages/worker/src/runtime/metrics-listener.ts';

describe('the worker SDK (@bulkhead/worker)', () => {
  const entries = ['index.ts', 'bin.ts', 'testing.ts'].map((file) => join(__dirname, file));

  it.each(entries)('should reach no file of apps/ from %s', (entry) => {
    const { files } = importGraph(entry);

    expect(files.filter((file) => file.startsWith('apps/'))).toEqual([]);
  });

  it.each(entries)('should load no HTTP server from %s', (entry) => {
    const { packages } = importGraph(entry);

    expect(
      [...packages].filter((name) => HTTP_SERVERS.includes(name.replace(/^node:/, ''))),
    ).toEqual([]);
  });

  it.each(entries)("should open node's http only for its metrics listener, from %s", (entry) => {
    const { importers } = importGraph(entry);
    const httpImporters = ['http', 'node:http', 'https', 'node:https'].flatMap((name) => [
      ...(importers.get(name) ?? []),
    ]);

    expect(httpImporters.filter((file) => file !== METRICS_LISTENER)).toEqual([]);
  });

  it('should declare every package its code loads', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const loaded = entries.flatMap((entry) => [...importGraph(entry).packages]);

    const undeclared = loaded.filter(
      (name) => !name.startsWith('node:') && !(name in manifest.dependencies),
    );

    expect([...new Set(undeclared)]).toEqual([]);
  });

  it('should run an agent in a test without Redis, BullMQ or Nest', () => {
    const { packages } = importGraph(join(__dirname, 'testing.ts'));

    expect([...packages].sort()).toEqual(['node:crypto', 'zod']);
  });
});
