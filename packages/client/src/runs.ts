import { HttpTransport, segment } from './http.js';
import { RunEventSource, RunStream } from './run-stream.js';
import { RunWatch, WaitOptions, waitForRun } from './run-wait.js';
import { CreateRunBody, Run, RunEvent, RunPage, RunStatus, RunSummary } from './types.js';

export interface CreateRunOptions {
  /** Repeating a request with the same key within 24 h answers the first run; nothing new runs. */
  readonly idempotencyKey?: string | undefined;
}

export interface ListRunsQuery {
  readonly status?: RunStatus | undefined;
  /** 1–100, default 20. */
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

export interface RunEventsQuery {
  /** Only events with an id above this (default 0). */
  readonly after?: number | undefined;
  /** 1–1000, default 100. */
  readonly limit?: number | undefined;
}

export interface StreamOptions {
  readonly after?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The tenant's runs. Every method rejects with a BulkheadError carrying the server's status and
 * code (404 run_not_found for a missing run and for another tenant's alike, 400 naming the field,
 * 401, 409, 429 with `retryAfter`), or `unreachable` when the API cannot be reached.
 */
export class Runs {
  constructor(
    private readonly http: HttpTransport,
    private readonly eventSource: RunEventSource,
  ) {}

  /** Submits a run; it answers queued. With an idempotency key, a repeat answers the first run. */
  create(body: CreateRunBody, options: CreateRunOptions = {}): Promise<Run> {
    return this.submit(body, options);
  }

  /** The run with its input and output; 404 run_not_found when missing or another tenant's. */
  get(id: string): Promise<Run> {
    return this.fetch(id);
  }

  /** One page of the tenant's runs, newest first, as summaries (no input or output: get() has them). */
  list(query: ListRunsQuery = {}): Promise<RunPage> {
    const { status, limit, cursor } = query;
    return this.http.request({ method: 'GET', path: '/v1/runs', query: { status, limit, cursor } });
  }

  /** Every run of the tenant, newest first, following `nextCursor` page after page. */
  async *listAll(query: Omit<ListRunsQuery, 'cursor'> = {}): AsyncIterableIterator<RunSummary> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, cursor });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Cancels a run: a queued one at once, a running one via its agent's signal. 409 run_finished. */
  cancel(id: string): Promise<Run> {
    return this.http.request({ method: 'POST', path: `/v1/runs/${segment(id)}/cancel` });
  }

  /** The run's stored events with ids above `after`, in id order. */
  async events(id: string, query: RunEventsQuery = {}): Promise<RunEvent[]> {
    const page = await this.http.request<{ items: RunEvent[] }>({
      method: 'GET',
      path: `/v1/runs/${segment(id)}/events`,
      query: { after: query.after, limit: query.limit },
    });
    return page.items;
  }

  /**
   * The run's events live, from the first after `after`: each exactly once, in order, across
   * reconnects; done after the terminal event. See RunStream for what it throws.
   */
  stream(id: string, options: StreamOptions = {}): AsyncIterableIterator<RunEvent> {
    return new RunStream(this.eventSource, id, options);
  }

  /**
   * Resolves with the finished run (succeeded, failed or cancelled). Rejects with a BulkheadError
   * `timeout` after `timeoutMs` and with the signal's reason when it aborts.
   */
  wait(id: string, options: WaitOptions = {}): Promise<Run> {
    return waitForRun(id, this.watchOf(id), options);
  }

  /** create() then wait(); a timeout counts from when the run was accepted and names its id. */
  async createAndWait(
    body: CreateRunBody,
    options: CreateRunOptions & WaitOptions = {},
  ): Promise<Run> {
    options.signal?.throwIfAborted();
    const run = await this.submit(body, options, options.signal);
    return this.wait(run.id, options);
  }

  private submit(
    body: CreateRunBody,
    options: CreateRunOptions,
    signal?: AbortSignal,
  ): Promise<Run> {
    const key = options.idempotencyKey;
    const headers: Record<string, string> = key === undefined ? {} : { 'idempotency-key': key };
    return this.http.request({ method: 'POST', path: '/v1/runs', body, headers, signal });
  }

  private fetch(id: string, signal?: AbortSignal): Promise<Run> {
    return this.http.request({ method: 'GET', path: `/v1/runs/${segment(id)}`, signal });
  }

  private watchOf(id: string): RunWatch {
    return {
      fetch: (signal: AbortSignal) => this.fetch(id, signal),
      stream: (signal: AbortSignal) => this.stream(id, { signal }),
    };
  }
}
