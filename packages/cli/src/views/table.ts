import Table from 'cli-table3';

export type Cell = string | number | undefined;

/** A record as a two-column table of label and value; rows whose value is undefined are left out. */
export function recordTable(rows: ReadonlyArray<readonly [string, Cell]>): string {
  const table = new Table({ style: plainStyle(), chars: compactRows() });
  for (const [label, value] of rows) {
    if (value !== undefined) {
      table.push({ [label]: String(value) });
    }
  }
  return table.toString();
}

/**
 * A list as a table with a header row; undefined cells print empty. Columns given a width in
 * `widths` wrap their text to it (long descriptions), the others fit their content.
 */
export function listTable(
  head: string[],
  rows: ReadonlyArray<readonly Cell[]>,
  widths: Array<number | null> = [],
): string {
  const table = new Table({
    head,
    style: plainStyle(),
    chars: compactRows(),
    colWidths: widths,
    wordWrap: true,
  });
  for (const row of rows) {
    table.push(row.map((cell) => (cell === undefined ? '' : String(cell))));
  }
  return table.toString();
}

/** A JSON value in one cell, on one line. */
export function inlineJson(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** Plain borders, no colours: the output reads the same in a terminal, a pipe and a log file. */
function plainStyle(): { head: string[]; border: string[] } {
  return { head: [], border: [] };
}

/** No rule between rows: a list of fifty runs stays fifty lines, not a hundred. */
function compactRows(): Record<string, string> {
  return { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
}
