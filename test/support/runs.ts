import request from 'supertest';
import { PageAnswer, bodyOf } from './answers';
import { eventually } from './eventually';
import { bearer } from './tenants';

export interface RunBody {
  readonly id: string;
  readonly tenantId: string;
  readonly agent: string;
  readonly status: string;
  readonly output?: unknown;
  readonly error?: { message: string; code?: string };
  readonly attempts: number;
  readonly [field: string]: unknown;
}

export interface EventBody {
  readonly id: number;
  readonly runId: string;
  readonly type: string;
  readonly data: unknown;
  readonly ts: string;
}

const TERMINAL = ['succeeded', 'failed', 'cancelled'];

export async function submitRun(url: string, key: string, body: object): Promise<RunBody> {
  const response = await request(url).post('/v1/runs').set(bearer(key)).send(body).expect(202);
  return response.body as RunBody;
}

export async function getRun(url: string, key: string, runId: string): Promise<RunBody> {
  const response = await request(url).get(`/v1/runs/${runId}`).set(bearer(key)).expect(200);
  return response.body as RunBody;
}

export async function storedEvents(
  url: string,
  key: string,
  runId: string,
  after = 0,
): Promise<EventBody[]> {
  const response = await request(url)
    .get(`/v1/runs/${runId}/events?after=${after}&limit=1000`)
    .set(bearer(key))
    .expect(200);
  return bodyOf<PageAnswer<EventBody>>(response).items;
}

/** Polls GET /v1/runs/:id until the run is finished (or the deadline passes). */
export function finishedRun(
  url: string,
  key: string,
  runId: string,
  timeoutMs = 10_000,
): Promise<RunBody> {
  return eventually(
    async () => {
      const run = await getRun(url, key, runId);
      if (!TERMINAL.includes(run.status)) {
        throw new Error(`run ${runId} is still ${run.status}`);
      }
      return run;
    },
    timeoutMs,
    50,
  );
}

export function isTerminalEvent(event: EventBody): boolean {
  return ['run.succeeded', 'run.failed', 'run.cancelled'].includes(event.type);
}

/** Every run of the tenant, newest first, following the list's cursor. */
export async function allRuns(url: string, key: string): Promise<RunBody[]> {
  const runs: RunBody[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
    const response = await request(url).get(`/v1/runs${query}`).set(bearer(key)).expect(200);
    const page = bodyOf<PageAnswer<RunBody>>(response);
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return runs;
}
