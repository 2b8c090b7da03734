import { runAgent } from '@bulkhead/worker/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvSummary } from '../src/csv-summary.agent';

const csv = ['city, temperature', 'Oslo, 4', 'Rome, 19', 'Lima, n/a', 'Cairo, 29'].join('\n');

describe('csv-summary', () => {
  it('summarises the column and reports progress after each batch', async () => {
    const run = await runAgent(csvSummary, { csv, column: 'temperature', batchRows: 2 });

    assert.deepEqual(run.output, {
      column: 'temperature',
      rows: 4,
      count: 3,
      skipped: 1,
      sum: 52,
      mean: 52 / 3,
      min: 4,
      max: 29,
    });
    assert.deepEqual(run.events, [
      { type: 'agent.progress', data: { step: 2, of: 4 } },
      { type: 'agent.progress', data: { step: 4, of: 4 } },
    ]);
  });

  it('fails the run when the column does not exist', async () => {
    await assert.rejects(runAgent(csvSummary, { csv, column: 'rainfall' }), /no column "rainfall"/);
  });

  it('stops when the run is cancelled', async () => {
    const cancelled = new AbortController();
    cancelled.abort(new Error('cancelled'));

    await assert.rejects(
      runAgent(csvSummary, { csv, column: 'temperature' }, { signal: cancelled.signal }),
      /cancelled/,
    );
  });
});
