import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { scanSource } from './module-state-scanner';

interface Allowed {
  readonly file: string;
  readonly name: string;
  readonly why: string;
}

const ROOT = join(__dirname, '..', '..', '..');
const SCANNED = ['apps', 'libs', 'packages'];
const SKIPPED = new Set(['node_modules', 'dist']);
const ALLOW_LIST = join(ROOT, 'scripts', 'singleton-audit', 'allow-list.json');

/**
 * `npm run audit:singletons`: fails on module-level mutable state in apps/, libs/ and packages/ (specs excluded)
 * unless the reviewed allow-list names it with the reason it is safe.
 */
function main(): void {
  const allowed = JSON.parse(readFileSync(ALLOW_LIST, 'utf8')) as Allowed[];
  const findings = SCANNED.flatMap((dir) => sourcesUnder(join(ROOT, dir))).flatMap((path) =>
    scanSource(relative(ROOT, path), readFileSync(path, 'utf8')),
  );
  const violations = findings.filter(
    (f) => !allowed.some((a) => a.file === f.file && a.name === f.name),
  );
  const stale = allowed.filter(
    (a) => !findings.some((f) => f.file === a.file && f.name === a.name),
  );
  for (const v of violations) {
    process.stderr.write(`${v.file}:${v.line} ${v.rule} ${v.name}: ${v.text}\n`);
  }
  for (const s of stale) {
    process.stderr.write(`allow-list entry matches nothing, remove it: ${s.file} ${s.name}\n`);
  }
  if (violations.length > 0 || stale.length > 0) {
    process.stderr.write(
      'Module-level mutable state is shared by every tenant: make it a provider, or allow-list it with a reason.\n',
    );
    process.exit(1);
  }
  process.stdout.write(`singleton audit: ${findings.length} allowed finding(s), no violations\n`);
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIPPED.has(name)) {
      return [];
    }
    if (statSync(path).isDirectory()) {
      return sourcesUnder(path);
    }
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

main();
