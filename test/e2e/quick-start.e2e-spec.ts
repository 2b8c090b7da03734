import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Platform } from '../support/platform';
import { deleteKeysUnder, uniquePrefix } from '../support/redis-test-prefix';
import { createTenant } from '../support/tenants';

describe('README quick start', () => {
  const prefix = uniquePrefix();
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.start({ prefix });
  });

  afterAll(async () => {
    await platform?.stop();
    await deleteKeysUnder(prefix);
  });

  it('should print every event of a ticker run through examples/watch-ticker.js', async () => {
    const tenant = await createTenant(platform.url, 'readme');
    const script = join(__dirname, '..', '..', 'examples', 'watch-ticker.js');
    const child = spawn(process.execPath, [script, '3', '10'], {
      env: { PATH: process.env.PATH, BULKHEAD_URL: platform.url, BULKHEAD_API_KEY: tenant.key },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const [code] = await once(child, 'exit');

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
