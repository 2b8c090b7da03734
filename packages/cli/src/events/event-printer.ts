import type { RunEvent } from '@bulkhead/client';

/** Shows a run's events as they arrive; `close()` leaves the terminal tidy (bar stopped, cursor back). */
export interface EventPrinter {
  show(event: RunEvent): void;
  close(): void;
}
