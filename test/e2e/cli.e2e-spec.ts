import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { CliEnv, CliProcess, CliRunner, linesOf } from '../support/cli';
import { eventually } from '../support/eventually';
import { ADMIN_TOKEN } from '../support/platform';
import { EventBody, RunBody, finishedRun, getRun, storedEvents, submitRun } from '../support/runs';
import { TenantView, TestTenant, bearer, createTenant, tenantView } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

/** A ticker that runs for about 15 s: long enough to interrupt or cancel it while it is followed. */
const LONG_TICKER = '{"steps":300,"intervalMs":50}';

describe('bulkhead CLI', () => {
  const suite = usePlatform();
  const cli = new CliRunner();
  const files = mkdtempSync(join(tmpdir(), 'bulkhead-cli-'));
  let tenant: TestTenant;

  const adminEnv = (): CliEnv => ({
    BULKHEAD_URL: suite.platform.url,
    BULKHEAD_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  const tenantEnv = (key = tenant.key): CliEnv => ({
    BULKHEAD_URL: suite.platform.url,
    BULKHEAD_API_KEY: key,
  });
  const cancelThroughApi = (runId: string) =>
    request(suite.platform.url).post(`/v1/runs/${runId}/cancel`).set(bearer(tenant.key));
  const eventTypes = (stdout: string) =>
    linesOf(stdout)
      .filter((line) => line.startsWith('#'))
      .map((line) => line.split(' ')[1]);
  const ndjson = (stdout: string) => linesOf(stdout).map((line) => JSON.parse(line) as EventBody);

  /** Starts following a long ticker and resolves once its first progress event is printed. */
  async function followLongTicker(
    extra: string[] = [],
  ): Promise<{ cli: CliProcess; runId: string }> {
    const following = cli.start(
      ['runs', 'submit', 'ticker', '--input', LONG_TICKER, '--follow', ...extra],
      tenantEnv(),
    );
    const stdout = await following.untilStdout(/agent\.progress/);
    const runId = /submitted (run_\S+)/.exec(stdout)?.[1];
    if (runId === undefined) {
      throw new Error(`no run id in ${stdout}`);
    }
    return { cli: following, runId };
  }

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'cli');
  });

  afterAll(async () => {
    await cli.killAll();
    rmSync(files, { recursive: true, force: true });
  });

  describe('tenants and keys', () => {
    it('should create a tenant and issue a key that the platform then accepts', async () => {
      const id = `cli-made-${Date.now().toString(36)}`;

      const created = await cli.run(
        ['tenants', 'create', id, '--name', 'Made by the CLI', '--max-queued-runs', '50', '--json'],
        adminEnv(),
      );
      const issued = await cli.run(['keys', 'create', id, '--json'], adminEnv());
      const key = (JSON.parse(issued.stdout) as { key: string }).key;
      const submitted = await cli.run(
        ['runs', 'submit', 'echo', '--input', '{"hello":"cli"}', '--json'],
        tenantEnv(key),
      );

      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({
        id,
        name: 'Made by the CLI',
        limits: { maxQueuedRuns: 50 },
      });
      expect(issued.code).toBe(0);
      expect(key).toMatch(new RegExp(`^bk_${id}_`));
      expect(submitted.code).toBe(0);
      expect(JSON.parse(submitted.stdout)).toMatchObject({ tenantId: id, agent: 'echo' });
    });

    it("should show a tenant's limits and usage with tenants get", async () => {
      const shown = await cli.run(['tenants', 'get', tenant.id], adminEnv());

      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(tenant.id);
      expect(shown.stdout).toMatch(/max concurrent runs\s*│\s*\d+/);
      expect(shown.stdout).toMatch(/running now\s*│\s*\d+/);
    });

    it('should set the agents a tenant may use with tenants agents, and every agent again with --all', async () => {
      const own = await createTenant(suite.platform.url, 'cli-agents');

      const limited = await cli.run(['tenants', 'agents', own.id, 'echo', 'ticker'], adminEnv());
      const neither = await cli.run(['tenants', 'agents', own.id], adminEnv());
      const all = await cli.run(['tenants', 'agents', own.id, '--all', '--json'], adminEnv());

      expect(limited.code).toBe(0);
      expect(limited.stdout).toMatch(/agents\s*│\s*echo, ticker/);
      expect(neither.code).not.toBe(0);
      expect(neither.stderr).toContain('--all');
      expect((JSON.parse(all.stdout) as TenantView).agents).toBeNull();
    });

    it('should set a limit with tenants limits and return it to the default with "default"', async () => {
      const own = await createTenant(suite.platform.url, 'cli-limits');
      const platformDefault = (await tenantView(suite.platform.url, own.id)).limits.runsPerMinute;

      const set = await cli.run(
        ['tenants', 'limits', own.id, '--runs-per-minute', '7', '--json'],
        adminEnv(),
      );
      const reset = await cli.run(
        ['tenants', 'limits', own.id, '--runs-per-minute', 'default', '--json'],
        adminEnv(),
      );

      expect(set.code).toBe(0);
      expect((JSON.parse(set.stdout) as TenantView).limits.runsPerMinute).toBe(7);
      expect(reset.code).toBe(0);
      expect((JSON.parse(reset.stdout) as TenantView).limits.runsPerMinute).toBe(platformDefault);
    });

    it('should set a provider from BULKHEAD_PROVIDER_API_KEY, list it without the key, and remove it', async () => {
      const own = await createTenant(suite.platform.url, 'cli-providers');
      const providerKey = `sk-cli-${randomUUID()}`;
      const set = ['providers', 'set', own.id, 'main', '--type', 'openai-compatible'];
      const withUrl = [...set, '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm1', 'm2'];

      const withoutKey = await cli.run(withUrl, adminEnv());
      const added = await cli.run(withUrl, {
        ...adminEnv(),
        BULKHEAD_PROVIDER_API_KEY: providerKey,
      });
      const listed = await cli.run(['providers', 'list', own.id, '--json'], adminEnv());
      const removed = await cli.run(['providers', 'remove', own.id, 'main'], adminEnv());
      const listedAfter = await cli.run(['providers', 'list', own.id, '--json'], adminEnv());

      expect(withoutKey.code).toBe(2);
      expect(withoutKey.stderr).toContain('BULKHEAD_PROVIDER_API_KEY');
      expect(added.code).toBe(0);
      expect(added.stdout).toMatch(/main.*openai-compatible.*m1, m2.*healthy/s);
      expect(JSON.parse(listed.stdout)).toMatchObject([
        { name: 'main', models: ['m1', 'm2'], keyHint: providerKey.slice(-4) },
      ]);
      expect([added, listed].map((result) => result.stdout + result.stderr).join('')).not.toContain(
        providerKey,
      );
      expect(removed.code).toBe(0);
      expect(JSON.parse(listedAfter.stdout)).toEqual([]);
    });

    it('should set maxTokensPerDay with --max-tokens-per-day, and take 0 for no limit', async () => {
      const id = `cli-tokens-${Date.now().toString(36)}`;

      const created = await cli.run(
        ['tenants', 'create', id, '--max-tokens-per-day', '5000', '--json'],
        adminEnv(),
      );
      const none = await cli.run(
        ['tenants', 'limits', id, '--max-tokens-per-day', '0', '--json'],
        adminEnv(),
      );
      const shown = await cli.run(['tenants', 'get', id], adminEnv());

      expect((JSON.parse(created.stdout) as TenantView).limits.maxTokensPerDay).toBe(5_000);
      expect((JSON.parse(none.stdout) as TenantView).limits.maxTokensPerDay).toBeNull();
      expect(shown.stdout).toMatch(/max tokens per day\s*│\s*no limit/);
      expect(shown.stdout).toMatch(/tokens today\s*│\s*0 \(0 in, 0 out, 0 calls\)/);
    });

    it('should revoke a key so that the next command with it is unauthorized', async () => {
      const own = await createTenant(suite.platform.url, 'cli-revoke');

      const revoked = await cli.run(['keys', 'revoke', own.id, own.keyId], adminEnv());
      const refused = await cli.run(['agents'], tenantEnv(own.key));

      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(own.keyId);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('unauthorized');
    });
  });

  describe('agents and runs', () => {
    it('should list the built-in agents with the fields of their input', async () => {
      const listed = await cli.run(['agents'], tenantEnv());

      expect(listed.code).toBe(0);
      for (const name of ['echo', 'ticker', 'flaky', 'failing', 'probe']) {
        expect(listed.stdout).toContain(name);
      }
      expect(listed.stdout).toContain('steps, intervalMs?');
    });

    it('should print every event of a followed ticker run as a line and exit 0', async () => {
      const followed = await cli.run(
        ['runs', 'submit', 'ticker', '--input', '{"steps":3,"intervalMs":10}', '--follow'],
        tenantEnv(),
      );

      expect(followed.code).toBe(0);
      expect(eventTypes(followed.stdout)).toEqual([
        'run.queued',
        'run.started',
        'agent.progress',
        'agent.progress',
        'agent.progress',
        'run.succeeded',
      ]);
      expect(followed.stdout).toMatch(/^#\d+ agent\.progress \{"step":1,"of":3\}$/m);
    });

    it('should exit 1 when a followed run fails', async () => {
      const followed = await cli.run(
        ['runs', 'submit', 'failing', '--input', '{"message":"failed for the CLI"}', '--follow'],
        tenantEnv(),
      );

      expect(followed.code).toBe(1);
      expect(linesOf(followed.stdout).at(-1)).toMatch(/^#\d+ run\.failed .*failed for the CLI/);
    });

    it('should exit 3 when a followed run is cancelled through the API', async () => {
      const { cli: following, runId } = await followLongTicker();

      await cancelThroughApi(runId).expect(202);
      const result = await following.exited();

      expect(result.code).toBe(3);
      expect(eventTypes(result.stdout).at(-1)).toBe('run.cancelled');
    });

    it('should print NDJSON ending with the terminal event for runs submit --follow --json', async () => {
      const followed = await cli.run(
        ['runs', 'submit', 'ticker', '--input', '{"steps":2,"intervalMs":0}', '--follow', '--json'],
        tenantEnv(),
      );

      const events = ndjson(followed.stdout);
      expect(followed.code).toBe(0);
      expect(events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5]);
      expect(events.at(-1)?.type).toBe('run.succeeded');
      expect(new Set(events.map((event) => event.runId)).size).toBe(1);
    });

    it('should read the input from a file given as --input @file', async () => {
      const file = join(files, 'ticker-input.json');
      writeFileSync(file, '{"steps": 2, "intervalMs": 0}\n');

      const submitted = await cli.run(
        ['runs', 'submit', 'ticker', '--input', `@${file}`, '--json'],
        tenantEnv(),
      );

      expect(submitted.code).toBe(0);
      expect((JSON.parse(submitted.stdout) as RunBody).input).toEqual({ steps: 2, intervalMs: 0 });
    });

    it("should print a run's stored events after --after as NDJSON with runs events --json", async () => {
      const run = await submitRun(suite.platform.url, tenant.key, {
        agent: 'ticker',
        input: { steps: 3, intervalMs: 0 },
      });
      await finishedRun(suite.platform.url, tenant.key, run.id);

      const printed = await cli.run(
        ['runs', 'events', run.id, '--after', '2', '--json'],
        tenantEnv(),
      );

      expect(printed.code).toBe(0);
      expect(ndjson(printed.stdout)).toEqual(
        await storedEvents(suite.platform.url, tenant.key, run.id, 2),
      );
    });

    it('should resume after --after and exit with the run outcome with runs events --follow', async () => {
      const run = await submitRun(suite.platform.url, tenant.key, {
        agent: 'ticker',
        input: { steps: 300, intervalMs: 50 },
      });
      await eventually(async () =>
        expect((await storedEvents(suite.platform.url, tenant.key, run.id)).length).toBeGreaterThan(
          3,
        ),
      );

      const following = cli.start(
        ['runs', 'events', run.id, '--after', '3', '--follow'],
        tenantEnv(),
      );
      await following.untilStdout(/agent\.progress/);
      await cancelThroughApi(run.id).expect(202);
      const result = await following.exited();

      expect(result.code).toBe(3);
      expect(linesOf(result.stdout)[0]).toMatch(/^#4 /);
      expect(eventTypes(result.stdout).at(-1)).toBe('run.cancelled');
    });
  });

  describe('--json', () => {
    it.each([
      ['tenants get', () => ['tenants', 'get', tenant.id], adminEnv],
      ['agents', () => ['agents'], tenantEnv],
      ['runs list', () => ['runs', 'list', '--status', 'succeeded', '--limit', '2'], tenantEnv],
      [
        'runs submit',
        () => ['runs', 'submit', 'echo', '--metadata', '{"ticket":"T-1"}'],
        tenantEnv,
      ],
    ])('should print one JSON document for %s', async (_name, args, env) => {
      const result = await cli.run([...args(), '--json'], env());

      expect(result.code).toBe(0);
      expect(() => JSON.parse(result.stdout) as unknown).not.toThrow();
    });

    it('should print the run as one JSON document for runs get and runs cancel', async () => {
      const run = await submitRun(suite.platform.url, tenant.key, {
        agent: 'ticker',
        input: { steps: 300, intervalMs: 50 },
      });

      const got = await cli.run(['runs', 'get', run.id, '--json'], tenantEnv());
      const cancelled = await cli.run(['runs', 'cancel', run.id, '--json'], tenantEnv());

      expect(got.code).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ id: run.id, agent: 'ticker' });
      expect(cancelled.code).toBe(0);
      expect((JSON.parse(cancelled.stdout) as RunBody).id).toBe(run.id);
      expect((await finishedRun(suite.platform.url, tenant.key, run.id)).status).toBe('cancelled');
    });

    it('should print one JSON document for tenants create, tenants limits, keys create and keys revoke', async () => {
      const id = `cli-json-${Date.now().toString(36)}`;

      const created = await cli.run(['tenants', 'create', id, '--json'], adminEnv());
      const limited = await cli.run(
        ['tenants', 'limits', id, '--max-concurrent-runs', '2', '--json'],
        adminEnv(),
      );
      const issued = await cli.run(['keys', 'create', id, '--json'], adminEnv());
      const keyId = (JSON.parse(issued.stdout) as { id: string }).id;
      const revoked = await cli.run(['keys', 'revoke', id, keyId, '--json'], adminEnv());

      expect([created.code, limited.code, issued.code, revoked.code]).toEqual([0, 0, 0, 0]);
      expect((JSON.parse(created.stdout) as TenantView).id).toBe(id);
      expect((JSON.parse(limited.stdout) as TenantView).limits.maxConcurrentRuns).toBe(2);
      expect(JSON.parse(revoked.stdout)).toEqual({ tenantId: id, keyId, revoked: true });
    });
  });

  describe('errors', () => {
    it('should exit 1 with one stderr line naming unauthorized for a bad key, without printing it', async () => {
      const badKey = `bk_${tenant.id}_not-a-real-secret`;

      const result = await cli.run(['runs', 'list'], tenantEnv(badKey));

      expect(result.code).toBe(1);
      expect(linesOf(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(/^error: unauthorized: /);
      expect(result.stderr).not.toContain(badKey);
      expect(result.stdout).toBe('');
    });

    it('should exit 1 with the server code for a run that does not exist', async () => {
      const result = await cli.run(['runs', 'get', 'run_missing'], tenantEnv());

      expect(result.code).toBe(1);
      expect(linesOf(result.stderr)).toEqual([expect.stringMatching(/^error: run_not_found: /)]);
    });

    it.each([
      ['an unknown command', ['launch']],
      ['an unknown option', ['agents', '--verbose']],
      ['a limit that is not a positive integer', ['runs', 'list', '--limit', '0']],
      ['bad JSON in --input', ['runs', 'submit', 'echo', '--input', '{"a":']],
      ['metadata that is not an object', ['runs', 'submit', 'echo', '--metadata', '[1]']],
      ['an unreadable @file', ['runs', 'submit', 'echo', '--input', '@/nonexistent/input.json']],
    ])('should exit 2 with a message on stderr for %s', async (_case, args) => {
      const result = await cli.run(args, tenantEnv());

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: /);
      expect(result.stdout).toBe('');
    });

    it('should exit 2 naming the flag and variable to set when the API key is missing', async () => {
      const result = await cli.run(['agents'], { BULKHEAD_URL: suite.platform.url });

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--key');
      expect(result.stderr).toContain('BULKHEAD_API_KEY');
    });

    it('should exit 2 naming the flag and variable to set when the admin token is missing', async () => {
      const result = await cli.run(['tenants', 'get', tenant.id], tenantEnv());

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--admin-token');
      expect(result.stderr).toContain('BULKHEAD_ADMIN_TOKEN');
    });

    it('should let --url and --key on the command line win over the environment', async () => {
      const result = await cli.run(
        ['agents', '--json', '--url', suite.platform.url, '--key', tenant.key],
        {
          BULKHEAD_URL: 'http://127.0.0.1:1',
          BULKHEAD_API_KEY: 'bk_nobody_wrong',
        },
      );

      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'ticker' })]),
      );
    });
  });

  describe('Ctrl-C while following', () => {
    it('should exit 130, leave the run running and print how to follow it again', async () => {
      const { cli: following, runId } = await followLongTicker();

      following.interrupt();
      const result = await following.exited();
      const lastId = Number(/^#(\d+) /.exec(linesOf(result.stdout).at(-1) ?? '')?.[1]);

      expect(result.code).toBe(130);
      expect(result.stderr).toContain(`bulkhead runs events ${runId} --after ${lastId} --follow`);
      expect((await getRun(suite.platform.url, tenant.key, runId)).status).toBe('running');
      await eventually(async () =>
        expect(
          (await storedEvents(suite.platform.url, tenant.key, runId, lastId)).length,
        ).toBeGreaterThan(0),
      );
      await cancelThroughApi(runId).expect(202);
    });

    it('should cancel the run, say so and exit 3 with --cancel-on-interrupt', async () => {
      const { cli: following, runId } = await followLongTicker(['--cancel-on-interrupt']);

      following.interrupt();
      const result = await following.exited();

      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`cancelled run ${runId}`);
      expect((await finishedRun(suite.platform.url, tenant.key, runId)).status).toBe('cancelled');
    });
  });
});
