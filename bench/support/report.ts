import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export type Row = Record<string, string | number>;

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly value: number;
  readonly met: boolean;
}

export interface ScenarioResult {
  readonly scenario: string;
  /** What was measured and against what, in one sentence. */
  readonly method: string;
  readonly rows: Row[];
  readonly targets: Target[];
}

/** What a scenario needs from the run: where Redis is, a key prefix of its own, quick or full. */
export interface BenchRun {
  readonly redisUrl: string;
  readonly quick: boolean;
  readonly repetitions: number;
  prefix(name: string): string;
}

const RESULTS = join(__dirname, '..', '..', '..', 'bench', 'results');

export function markdownOf(results: ScenarioResult[], quick: boolean): string {
  const head = [
    `Measured ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}${quick ? ', --quick' : ''}.`,
    '',
  ];
  const sections = results.flatMap((result) => [
    `### ${result.scenario}`,
    '',
    result.method,
    '',
    ...tableOf(result.rows),
    '',
    ...result.targets.map(
      (t) => `- ${t.met ? 'met' : '**missed**'}: ${t.name} ${t.goal} (measured ${t.value})`,
    ),
    '',
  ]);
  return [...head, ...sections].join('\n');
}

function tableOf(rows: Row[]): string[] {
  const columns = Object.keys(rows[0] ?? {});
  const align = columns.map((c) => (typeof rows[0]?.[c] === 'number' ? '---:' : '---'));
  return [
    `| ${columns.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((c) => String(row[c] ?? '')).join(' | ')} |`),
  ];
}

export function writeResults(results: ScenarioResult[], quick: boolean): string {
  mkdirSync(RESULTS, { recursive: true });
  const markdown = markdownOf(results, quick);
  writeFileSync(
    join(RESULTS, 'latest.json'),
    JSON.stringify({ measuredAt: new Date().toISOString(), quick, results }, null, 2),
  );
  writeFileSync(join(RESULTS, 'latest.md'), markdown);
  return markdown;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
