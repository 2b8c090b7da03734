import type { RunEvent } from '@bulkhead/client';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { exitCodeOfTerminalEvent } from '../exit-codes.js';
import type { Output } from '../output.js';
import { eventLine, progressOf, type Progress } from '../views/events.js';
import type { EventPrinter } from './event-printer.js';

/**
 * For a person at a terminal: `agent.progress {step, of}` moves one progress bar, every other event
 * prints as a line above it. cli-progress's MultiBar is used for its log(), which keeps lines and
 * bar from overwriting each other; its own SIGINT handler stays off (follow.ts owns Ctrl-C).
 */
export class ProgressPrinter implements EventPrinter {
  private bars: MultiBar | undefined;
  private bar: SingleBar | undefined;

  constructor(private readonly out: Output) {}

  show(event: RunEvent): void {
    const progress = progressOf(event);
    if (progress !== undefined) {
      return this.advance(progress);
    }
    if (exitCodeOfTerminalEvent(event.type) !== undefined) {
      this.close();
    }
    this.print(eventLine(event));
  }

  close(): void {
    if (this.bars === undefined) {
      return;
    }
    this.bars.update();
    this.bars.stop();
    this.bars = undefined;
    this.bar = undefined;
  }

  private advance({ step, of }: Progress): void {
    if (this.bar === undefined) {
      this.bars = this.startBars();
      this.bar = this.bars.create(of, step);
      return;
    }
    this.bar.setTotal(of);
    this.bar.update(step);
  }

  private print(line: string): void {
    if (this.bars === undefined) {
      return this.out.line(line);
    }
    this.bars.log(`${line}\n`);
  }

  private startBars(): MultiBar {
    return new MultiBar(
      {
        stream: this.out.stdout,
        format: 'agent.progress {bar} {value}/{total}',
        hideCursor: true,
        clearOnComplete: false,
        gracefulExit: false,
      },
      Presets.shades_classic,
    );
  }
}
