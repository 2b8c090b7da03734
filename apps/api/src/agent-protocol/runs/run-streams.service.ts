import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { TenantId } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { EventLog, Run, RunEvent, RunStore, ThreadLanes, isTerminal } from '@bulkhead/store';
import type { FastifyReply } from 'fastify';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { AuthenticatedRequest } from '../../auth/authenticated-request';
import {
  StreamEvent,
  endEventOf,
  finalValuesOf,
  isTerminalEvent,
  streamEventOf,
} from './agent-run';
import { AgentRuns, FoundRun } from './agent-runs.service';
import { RunFollowers } from './run-followers';
import { Wakeup } from './wakeup';

/** Events read from a run's stream per round trip while following it, and about their bytes. */
const READ_BOUNDS = Object.freeze({ maxEvents: 100, maxBytes: 262_144 });

/**
 * A stream's keep-alive: a comment line with no blank line after it, so it never ends an event. SDK
 * releases up to 1.12.8 dispatch an empty event on every blank line once an id was seen, and would
 * hand each heartbeat to the application as one.
 */
const HEARTBEAT_COMMENT = ': heartbeat\n';

/** Where a stream starts: after an event id (0: from the first), or only what comes from now on. */
export type StreamStart = number | 'live';

export interface StreamRequest {
  readonly found: FoundRun;
  readonly start: StreamStart;
  /** The modes asked for on this request; else the ones the run was created with. */
  readonly modes?: readonly string[] | undefined;
  readonly cancelOnDisconnect: boolean;
}

/**
 * The long answers of the LangGraph API: SSE streams of a run's events, and waits for its final
 * values, both following the run's stream in Redis (the only source of truth, so a stream resumed
 * with Last-Event-ID continues exactly after that event). Everything that can fail is checked
 * before the first byte; a response then lives in its request's scope (its ExecutionRegistry
 * aborts it), holds one follower, and heartbeats every LG_HEARTBEAT_MS.
 */
@Injectable()
export class RunStreams {
  constructor(
    private readonly eventLog: EventLog,
    private readonly runs: RunStore,
    private readonly lanes: ThreadLanes,
    private readonly agentRuns: AgentRuns,
    private readonly followers: RunFollowers,
    private readonly logger: AppLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** An SSE stream of the run: events after its start, then `end`, then the response closes. */
  async stream(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    asked: StreamRequest,
  ): Promise<void> {
    const { found } = asked;
    const { run, agentRun } = found;
    const tenantId = run.tenantId;
    const tail = await this.tailOf(tenantId, run);
    const after = asked.start === 'live' ? tail : asked.start;
    const current = await this.runs.get(tenantId, run.id);
    const stream = {
      run,
      threadId: agentRun.threadId,
      modes: new Set(asked.modes ?? agentRun.streamModes),
    };
    await this.respond(
      request,
      reply,
      asked,
      'text/event-stream; charset=utf-8',
      async (out, signal) => {
        const ended = isTerminal(current.status) && after >= tail;
        const finished =
          ended ||
          (await this.follow(tenantId, found, after, signal, async (event) => {
            const sent = streamEventOf(event, stream);
            if (sent) {
              await out.write(frameOf(sent));
            }
          }));
        if (!finished) {
          return false;
        }
        const last = await this.runs.get(tenantId, run.id);
        const rolledBack =
          !agentRun.stateless &&
          !(await this.lanes.isOnThread(tenantId, agentRun.threadId, run.id));
        await out.write(frameOf(endEventOf(last, rolledBack)));
        return true;
      },
      { location: `${pathOf(found)}/stream?after=${after}`, heartbeat: HEARTBEAT_COMMENT },
    );
  }

  /** runs.wait and runs.join: newlines while the run goes on, then its final values as JSON. */
  async wait(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    asked: StreamRequest,
  ): Promise<void> {
    const { found } = asked;
    const tenantId = found.run.tenantId;
    const after = await this.tailOf(tenantId, found.run);
    const current = await this.runs.get(tenantId, found.run.id);
    await this.respond(
      request,
      reply,
      asked,
      'application/json',
      async (out, signal) => {
        const finished =
          isTerminal(current.status) ||
          (await this.follow(tenantId, found, after, signal, async () => {}));
        if (!finished) {
          return false;
        }
        const last = await this.runs.get(tenantId, found.run.id);
        await out.write(JSON.stringify(finalValuesOf(last)));
        return true;
      },
      { heartbeat: '\n' },
    );
  }

  /** Resolves once the run ended (cancel with wait). */
  async untilEnded(found: FoundRun): Promise<void> {
    const tenantId = found.run.tenantId;
    const after = await this.tailOf(tenantId, found.run);
    if (isTerminal((await this.runs.get(tenantId, found.run.id)).status)) {
      return;
    }
    await this.follow(tenantId, found, after, new AbortController().signal, async () => {});
  }

  /**
   * Writes the headers at once, then runs `body` until it finishes or the client goes; a client gone
   * before the run ended cancels it when asked to. A failure after the headers drops the connection
   * (the SDK then reconnects with the last id it saw) rather than inventing an end.
   */
  private async respond(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    asked: StreamRequest,
    contentType: string,
    body: (out: ResponseWriter, signal: AbortSignal) => Promise<boolean>,
    framing: { readonly location?: string; readonly heartbeat: string },
  ): Promise<void> {
    const { run, agentRun } = asked.found;
    const aborter = new AbortController();
    const registry = await request.bulkheadScope?.registry();
    const release = registry?.track(run.tenantId, () => aborter.abort());
    reply.hijack();
    const raw = reply.raw;
    raw.on('close', () => aborter.abort());
    raw.writeHead(200, {
      ...headersOf(reply),
      'content-type': contentType,
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      'content-location': pathOf(asked.found),
      ...(framing.location ? { location: framing.location } : {}),
    });
    raw.flushHeaders();
    const out = new ResponseWriter(raw, aborter.signal);
    const heartbeat = setInterval(() => out.beat(framing.heartbeat), this.config.LG_HEARTBEAT_MS);
    let finished = false;
    try {
      finished = await body(out, aborter.signal);
      raw.end();
    } catch (error) {
      if (!aborter.signal.aborted) {
        this.logger.warn('lg.stream_failed', {
          runId: run.id,
          threadId: agentRun.threadId,
          error: describeError(error),
        });
      }
      raw.destroy();
    } finally {
      clearInterval(heartbeat);
      await release?.();
    }
    if (!finished && aborter.signal.aborted && asked.cancelOnDisconnect) {
      await this.agentRuns.cancel(asked.found, 'interrupt');
    }
  }

  /**
   * Hands each event after `after` to `onEvent`, in order, until the run's terminal event (true)
   * or the signal (false). Notifications wake it; it also re-reads every SUBSCRIPTION_BACKSTOP_MS,
   * should one be lost. Once the run ended, its thread's next run may start at once.
   */
  private async follow(
    tenantId: TenantId,
    found: FoundRun,
    after: number,
    signal: AbortSignal,
    onEvent: (event: RunEvent) => Promise<void>,
  ): Promise<boolean> {
    const wakeup = new Wakeup();
    const unfollow = this.followers.follow(tenantId, found.run.id, wakeup);
    try {
      let cursor = after;
      while (!signal.aborted) {
        const batch = await this.eventLog.readBatch(tenantId, found.run.id, cursor, READ_BOUNDS);
        for (const { event } of batch.events) {
          cursor = event.id;
          await onEvent(event);
          if (isTerminalEvent(event)) {
            await this.afterEnd(tenantId, found);
            return true;
          }
        }
        if (!batch.more) {
          await wakeup.wait(this.config.SUBSCRIPTION_BACKSTOP_MS, signal);
        }
      }
      return false;
    } finally {
      unfollow();
    }
  }

  private async afterEnd(tenantId: TenantId, { agentRun }: FoundRun): Promise<void> {
    if (agentRun.stateless) {
      return;
    }
    await this.agentRuns.advance(tenantId, agentRun.threadId).catch((error: unknown) => {
      this.logger.warn('lanes.advance_failed', { error: describeError(error) });
    });
  }

  /** The id of the run's last event now: a live-only stream starts after it. */
  private async tailOf(tenantId: TenantId, run: Run): Promise<number> {
    const last = await this.eventLog.lastIds(tenantId, [run.id]);
    return last.get(run.id) ?? 0;
  }
}

/**
 * A response's writes in order; a write the socket cannot take yet waits for 'drain', so one client
 * holds at most one read batch in memory. Heartbeats are skipped while a write waits.
 */
class ResponseWriter {
  private waiting = false;

  constructor(
    private readonly raw: ServerResponse,
    private readonly signal: AbortSignal,
  ) {}

  async write(text: string): Promise<void> {
    if (this.raw.write(text)) {
      return;
    }
    this.waiting = true;
    try {
      await once(this.raw, 'drain', { signal: this.signal });
    } finally {
      this.waiting = false;
    }
  }

  beat(text: string): void {
    if (!this.waiting && !this.signal.aborted) {
      this.raw.write(text);
    }
  }
}

/** The run's path relative to the mount (/lg), as the SDK appends it to its apiUrl. */
function pathOf({ run, agentRun }: FoundRun): string {
  return `/threads/${agentRun.threadId}/runs/${run.id}`;
}

function frameOf({ id, event, data }: StreamEvent): string {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  return `${idLine}event: ${event}\ndata: ${JSON.stringify(data ?? null)}\n\n`;
}

/** What Fastify's hooks (CORS) set on the reply: a hijacked reply must write them itself. */
function headersOf(reply: FastifyReply): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.map(String) : String(value);
    }
  }
  return headers;
}
