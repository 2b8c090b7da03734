import type { Output } from '../output.js';
import type { EventPrinter } from './event-printer.js';
import { LinePrinter } from './line-printer.js';
import { ProgressPrinter } from './progress-printer.js';

/** A bar only for a person at a terminal who did not ask for JSON; lines everywhere else. */
export function eventPrinterFor(out: Output): EventPrinter {
  if (out.isTTY && !out.json) {
    return new ProgressPrinter(out);
  }
  return new LinePrinter(out);
}
