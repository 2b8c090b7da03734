import request from 'supertest';
import { bodyOf, errorOf } from '../support/answers';
import { EventClient } from '../support/event-client';
import { PlatformProcess } from '../support/platform';
import { finishedRun, submitRun } from '../support/runs';
import { TestTenant, bearer, createTenant } from '../support/tenants';
import { usePlatform } from '../support/use-platform';

interface Listed {
  readonly name: string;
  readonly workers: number;
  readonly inputSchema: { properties?: Record<string, unknown> };
}

/** A CSV of `rows` rows whose column n holds 1, 2, 3 … */
function numbered(rows: number): string {
  return ['label,n', ...Array.from({ length: rows }, (_, i) => `row-${i},${i + 1}`)].join('\n');
}

describe("A team's own agent: the example project's worker beside the platform", () => {
  // The API and no built-in worker: the example's worker and an echo-only one are the fleet.
  const suite = usePlatform({ workers: 0 });
  const clients: EventClient[] = [];
  let tenant: TestTenant;
  let example: PlatformProcess;
  let echoOnly: PlatformProcess;

  beforeAll(async () => {
    tenant = await createTenant(suite.platform.url, 'custom');
    example = await suite.platform.startAgentWorker(
      'example-worker',
      'examples/custom-agent/dist/src/agents.js',
    );
    echoOnly = await suite.platform.startAgentWorker(
      'echo-only-worker',
      'test/e2e/fixtures/echo-only.agents.js',
    );
  });

  afterAll(() => clients.forEach((client) => client.socket.close()));

  const listed = async (name: string) => {
    const response = await request(suite.platform.url)
      .get('/v1/agents')
      .set(bearer(tenant.key))
      .expect(200);
    return bodyOf<Listed[]>(response).find((agent) => agent.name === name);
  };

  it('should list the example agent with its input schema and the one worker serving it', async () => {
    const agent = await listed('csv-summary');

    expect(agent?.workers).toBe(1);
    expect(Object.keys(agent?.inputSchema.properties ?? {}).sort()).toEqual([
      'batchRows',
      'column',
      'csv',
    ]);
  });

  it('should run the example agent submitted over HTTP and stream its progress on a socket', async () => {
    const client = await EventClient.connect(suite.platform.url, tenant.key);
    clients.push(client);

    const run = await submitRun(suite.platform.url, tenant.key, {
      agent: 'csv-summary',
      input: { csv: numbered(250), column: 'n', batchRows: 50 },
    });
    await client.subscribe(run.id);
    const events = await client.untilFinished(run.id);

    const progress = events.filter((event) => event.type === 'agent.progress');
    expect(progress.map((event) => event.data)).toEqual(
      [50, 100, 150, 200, 250].map((step) => ({ step, of: 250 })),
    );
    expect(events.at(-1)?.type).toBe('run.succeeded');
    const finished = await finishedRun(suite.platform.url, tenant.key, run.id);
    expect(finished.output).toMatchObject({ rows: 250, count: 250, sum: 31_375, min: 1, max: 250 });
  });

  it("should refuse input the example's registered schema refuses, naming the field", async () => {
    const response = await request(suite.platform.url)
      .post('/v1/runs')
      .set(bearer(tenant.key))
      .send({ agent: 'csv-summary', input: { csv: numbered(1) } })
      .expect(400);

    expect(errorOf(response).details?.[0]?.path).toBe('input.column');
  });

  it('should give each worker only the runs of the agents it serves', async () => {
    const submit = (body: object) => submitRun(suite.platform.url, tenant.key, body);
    const summaries = await Promise.all(
      Array.from({ length: 6 }, () =>
        submit({ agent: 'csv-summary', input: { csv: numbered(20), column: 'n' } }),
      ),
    );
    const echoes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => submit({ agent: 'echo', input: { i } })),
    );
    const runs = [...summaries, ...echoes];
    const finished = await Promise.all(
      runs.map((run) => finishedRun(suite.platform.url, tenant.key, run.id)),
    );

    expect(finished.map((run) => run.status)).toEqual(runs.map(() => 'succeeded'));
    expect(runIdsIn(echoOnly, summaries)).toEqual([]);
    expect(runIdsIn(example, echoes)).toEqual([]);
    expect(runIdsIn(example, summaries)).toEqual(summaries.map((run) => run.id).sort());
    expect(runIdsIn(echoOnly, echoes)).toEqual(echoes.map((run) => run.id).sort());
  });
});

/** Which of these runs the process logged anything about: the runs it received. */
function runIdsIn(process: PlatformProcess, runs: readonly { id: string }[]): string[] {
  const ids = new Set(runs.map((run) => run.id));
  const seen = process.lines.flatMap((line) =>
    line.runId !== undefined && ids.has(line.runId) ? [line.runId] : [],
  );
  return [...new Set(seen)].sort();
}
