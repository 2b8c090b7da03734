import type { RunEvent } from '@bulkhead/client';
import type { Output } from '../output.js';
import { eventLine } from '../views/events.js';
import type { EventPrinter } from './event-printer.js';

/**
 * One line per event: NDJSON with --json, `#id type data` otherwise. Used whenever stdout is not
 * a terminal, so a pipe or a log file gets every event and no control characters.
 */
export class LinePrinter implements EventPrinter {
  constructor(private readonly out: Output) {}

  show(event: RunEvent): void {
    if (this.out.json) {
      this.out.record(event);
    } else {
      this.out.line(eventLine(event));
    }
  }

  close(): void {}
}
