import { defineAgent } from '@bulkhead/worker';
import { setImmediate } from 'node:timers/promises';
import { z } from 'zod';

/** count, sum, mean, min and max of one column's numbers; rows whose cell is not a number are skipped. */
export interface ColumnSummary {
  readonly column: string;
  readonly rows: number;
  readonly count: number;
  readonly skipped: number;
  readonly sum: number;
  readonly mean: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/**
 * Summarises one numeric column of a CSV document. It reads the rows in batches and reports
 * `agent.progress {step, of}` after each, so a client can draw a progress bar; it stops at the next
 * batch when the run is cancelled. Running it twice on one input gives the same answer, which is
 * what at-least-once delivery asks of an agent.
 */
export const csvSummary = defineAgent({
  name: 'csv-summary',
  description:
    'Summarises one numeric column of a CSV document (count, sum, mean, min, max), reporting progress as it reads.',
  input: z.strictObject({
    csv: z.string().min(1).max(60_000),
    column: z.string().min(1).max(200),
    batchRows: z.number().int().min(1).max(10_000).default(100),
  }),
  retries: 2,
  backoff: { type: 'fixed', delayMs: 500 },
  timeoutMs: 60_000,
  run: async (ctx, { csv, column, batchRows }) => {
    const [header = '', ...rows] = csv.trim().split(/\r?\n/);
    const index = cellsOf(header).indexOf(column);
    if (index < 0) {
      throw new Error(`The header has no column "${column}".`);
    }
    const summary = new Summary(column, rows.length);
    for (let start = 0; start < rows.length; start += batchRows) {
      ctx.signal.throwIfAborted();
      for (const row of rows.slice(start, start + batchRows)) {
        summary.add(cellsOf(row)[index]);
      }
      await ctx.emit('agent.progress', {
        step: Math.min(start + batchRows, rows.length),
        of: rows.length,
      });
      // Other runs on this worker get a turn between batches.
      await setImmediate(undefined, { signal: ctx.signal });
    }
    ctx.logger.info('csv-summary.done', { rows: rows.length });
    return summary.result();
  },
});

function cellsOf(line: string): string[] {
  return line.split(',').map((cell) => cell.trim());
}

class Summary {
  private count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(
    private readonly column: string,
    private readonly rows: number,
  ) {}

  add(cell: string | undefined): void {
    const value = cell === undefined || cell === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(value)) {
      return;
    }
    this.count += 1;
    this.sum += value;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
  }

  result(): ColumnSummary {
    const any = this.count > 0;
    return {
      column: this.column,
      rows: this.rows,
      count: this.count,
      skipped: this.rows - this.count,
      sum: this.sum,
      mean: any ? this.sum / this.count : null,
      min: any ? this.min : null,
      max: any ? this.max : null,
    };
  }
}
