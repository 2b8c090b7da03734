import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

describe('README quick start', () => {
  const suite = usePlatform();

  it('should print every event of a ticker run through examples/watch-ticker.js', async () => {
    const tenant = await createTenant(suite.platform.url, 'readme');
    const script = join(__dirname, '..', '..', 'examples', 'watch-ticker.js');
    const child = spawn(process.execPath, [script, '3', '10'], {
      env: {
        PATH: process.env.PATH,
        BULKHEAD_URL: suite.platform.url,
        BULKHEAD_API_KEY: tenant.key,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const [code] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];

    expect(code).toBe(0);
    const types = output
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .map((line) => line.split(' ')[1]);
    expect(types).toEqual([
      'run.queued',
      'run.started',
      'agent.progress',
      'agent.progress',
      'agent.progress',
      'run.succeeded',
    ]);
  });
});
