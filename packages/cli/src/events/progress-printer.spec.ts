import { PassThrough } from 'node:stream';
import type { RunEvent } from '@bulkhead/client';
import { Output } from '../output.js';
import { ProgressPrinter } from './progress-printer.js';

/** A terminal as cli-progress sees one: a TTY stream with a width. */
function fakeTerminal(): PassThrough & { isTTY: boolean; columns: number } {
  return Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
}

function event(id: number, type: string, data: unknown = {}): RunEvent {
  return { id, runId: 'run_1', type, data, ts: new Date(0).toISOString() };
}

describe(ProgressPrinter.name, () => {
  it('should draw progress as a bar and every other event as a line', () => {
    const terminal = fakeTerminal();
    const sut = new ProgressPrinter(
      new Output({ stdout: terminal, stderr: new PassThrough() }, false),
    );

    sut.show(event(1, 'run.queued'));
    sut.show(event(2, 'run.started', { attempt: 1 }));
    for (let step = 1; step <= 3; step += 1) {
      sut.show(event(2 + step, 'agent.progress', { step, of: 3 }));
    }
    sut.show(event(6, 'run.succeeded', { output: { steps: 3 } }));
    const printed = String(terminal.read());

    expect(printed).toContain('#1 run.queued {}\n');
    expect(printed).toContain('#2 run.started {"attempt":1}\n');
    expect(printed).toContain('3/3');
    expect(printed).not.toContain('agent.progress {"step"');
    expect(printed.trimEnd().endsWith('#6 run.succeeded {"output":{"steps":3}}')).toBe(true);
  });

  it('should print a line that arrives while the bar is drawn before the final event', () => {
    const terminal = fakeTerminal();
    const sut = new ProgressPrinter(
      new Output({ stdout: terminal, stderr: new PassThrough() }, false),
    );

    sut.show(event(1, 'agent.progress', { step: 1, of: 2 }));
    sut.show(event(2, 'agent.log', { note: 'halfway' }));
    sut.show(event(3, 'run.failed', { error: { message: 'no' } }));
    const printed = String(terminal.read());

    expect(printed.indexOf('#2 agent.log')).toBeGreaterThan(-1);
    expect(printed.indexOf('#2 agent.log')).toBeLessThan(printed.indexOf('#3 run.failed'));
  });
});
