import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { TenantContext, TenantId } from '@bulkhead/context';
import { ValidationError, describeError } from '@bulkhead/errors';
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
import { AnswersByKey } from './answers-by-key';
import { Admission, RunFollowers } from './run-followers';
import { Wakeup } from './wakeup';

/** Events read from a run's stream per round trip while following it, and about their bytes. */
const READ_BOUNDS = Object.freeze({ maxEvents: 100, maxBytes: 262_144 });

/**
 * A stream's keep-alive: a comment line with no blank line after it, so it never ends an event. SDK
 * releases up to 1.12.8 dispatch an empty event on every blank line once an id was seen, and would
 * hand each heartbeat to the application as one.
 */
const HEARTBEAT_COMMENT = ': heartbeat\n';

/** Why an answer was ended by the server: its API key was revoked. */
const KEY_REVOKED = 'key_revoked';
const REVOKED = Object.freeze({
  error: 'unauthorized',
  message: 'The API key this answer was opened with has been revoked.',
});

/** Where a stream starts: after an event id (0: from the first), or only what comes from now on. */
export type StreamStart = number | 'live';

export interface StreamRequest {
  readonly found: FoundRun;
  readonly start: StreamStart;
  /** The modes asked for on this request; else the ones the run was created with. */
  readonly modes?: readonly string[] | undefined;
  readonly cancelOnDisconnect: boolean;
  /** The place this answer holds among the tenant's (RunStreams.admitted). */
  readonly admission: Admission;
}

interface Framing {
  /** The Location header: where the SDK reconnects to. */
  readonly location?: string;
  readonly heartbeat: string;
  /** The last words of an answer whose key was revoked. */
  readonly revoked: string;
}

type Body = (out: ResponseWriter, signal: AbortSignal, wakeup: Wakeup) => Promise<boolean>;

/**
 * The long answers of the LangGraph API: SSE streams of a run's events, and waits for its final
 * values, both following the run's stream in Redis (the only source of truth, so a stream resumed
 * with Last-Event-ID continues exactly after that event). Each holds one of the tenant's places,
 * taken before its run is created or read; everything that can fail is checked before the first
 * byte; a response then lives in its request's scope (its ExecutionRegistry aborts it), ends when
 * its key is revoked, and heartbeats every LG_HEARTBEAT_MS.
 */
@Injectable()
export class RunStreams {
  constructor(
    private readonly context: TenantContext,
    private readonly eventLog: EventLog,
    private readonly runs: RunStore,
    private readonly lanes: ThreadLanes,
    private readonly agentRuns: AgentRuns,
    private readonly followers: RunFollowers,
    private readonly answersByKey: AnswersByKey,
    private readonly logger: AppLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Runs `work` holding one of the current tenant's places for a stream, join or wait: past a
   * bound it throws TooManyStreamsError (429) before `work` creates or reads anything.
   */
  async admitted<T>(work: (admission: Admission) => Promise<T>): Promise<T> {
    const admission = this.followers.admit(this.context.require().tenantId);
    try {
      return await work(admission);
    } finally {
      admission.release();
    }
  }

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
    if (asked.start !== 'live' && asked.start > tail) {
      throw new ValidationError([
        {
          path: 'Last-Event-ID',
          message: `${asked.start} is after the run's last event (${tail}): resume from an id its stream sent`,
        },
      ]);
    }
    const after = asked.start === 'live' ? tail : asked.start;
    // Read after the tail: a run that ended in between has its last events after `tail`, which a
    // live stream follows. Ended already, the stream is over only once it has seen them all.
    const current = await this.runs.get(tenantId, run.id);
    const ended = isTerminal(current.status) && after >= (await this.tailOf(tenantId, run));
    const stream = {
      run,
      threadId: agentRun.threadId,
      modes: new Set(asked.modes ?? agentRun.streamModes),
    };
    const body: Body = async (out, signal, wakeup) => {
      const finished =
        ended ||
        (await this.follow(tenantId, found, after, { signal, wakeup }, async (event) => {
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
        !agentRun.stateless && !(await this.lanes.isOnThread(tenantId, agentRun.threadId, run.id));
      await out.write(frameOf(endEventOf(last, rolledBack)));
      return true;
    };
    await this.respond(request, reply, asked, 'text/event-stream; charset=utf-8', body, {
      location: `${pathOf(found)}/stream?after=${after}`,
      heartbeat: HEARTBEAT_COMMENT,
      revoked: frameOf({ event: 'error', data: REVOKED }),
    });
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
    const body: Body = async (out, signal, wakeup) => {
      const finished =
        isTerminal(current.status) ||
        (await this.follow(tenantId, found, after, { signal, wakeup }, async () => {}));
      if (!finished) {
        return false;
      }
      const last = await this.runs.get(tenantId, found.run.id);
      await out.write(JSON.stringify(finalValuesOf(last)));
      return true;
    };
    await this.respond(request, reply, asked, 'application/json', body, {
      heartbeat: '\n',
      revoked: JSON.stringify({ __error__: REVOKED }),
    });
  }

  /** Resolves once the run ended (cancel with wait), holding a place as a join does. */
  async untilEnded(found: FoundRun, admission: Admission): Promise<void> {
    const tenantId = found.run.tenantId;
    const wakeup = new Wakeup();
    const unfollow = admission.follow(found.run.id, wakeup);
    try {
      const after = await this.tailOf(tenantId, found.run);
      if (isTerminal((await this.runs.get(tenantId, found.run.id)).status)) {
        return;
      }
      const signal = new AbortController().signal;
      await this.follow(tenantId, found, after, { signal, wakeup }, async () => {});
    } finally {
      unfollow();
    }
  }

  /**
   * Writes the headers, then runs `body` until it finishes or the client goes; a client gone before
   * the run ended cancels it when asked to. A revoked key ends the answer with `framing.revoked`.
   * A failure after the headers drops the connection (the SDK then reconnects with the last id it
   * saw) rather than inventing an end.
   */
  private async respond(
    request: AuthenticatedRequest,
    reply: FastifyReply,
    asked: StreamRequest,
    contentType: string,
    body: Body,
    framing: Framing,
  ): Promise<void> {
    const { run, agentRun } = asked.found;
    const wakeup = new Wakeup();
    const aborter = new AbortController();
    const unfollow = asked.admission.follow(run.id, wakeup);
    const owner = request.bulkheadOwner;
    const unhold = owner ? this.answersByKey.hold(owner, () => aborter.abort(KEY_REVOKED)) : noop;
    let heartbeat: NodeJS.Timeout | undefined;
    let release: (() => Promise<void>) | undefined;
    let finished = false;
    try {
      const registry = await request.bulkheadScope?.registry();
      release = registry?.track(run.tenantId, () => aborter.abort());
      reply.hijack();
      const raw = reply.raw;
      raw.on('close', () => aborter.abort());
      if (isGone(raw)) {
        // It closed before the listener was there, and will not say so again.
        aborter.abort();
      }
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
      heartbeat = setInterval(() => out.beat(framing.heartbeat), this.config.LG_HEARTBEAT_MS);
      try {
        finished = await body(out, aborter.signal, wakeup);
        raw.end(aborter.signal.reason === KEY_REVOKED ? framing.revoked : undefined);
      } catch (error) {
        if (!aborter.signal.aborted) {
          this.logger.warn('lg.stream_failed', {
            runId: run.id,
            threadId: agentRun.threadId,
            error: describeError(error),
          });
        }
        raw.destroy();
      }
    } finally {
      clearInterval(heartbeat);
      unhold();
      unfollow();
      await release?.();
    }
    const gone = aborter.signal.aborted && aborter.signal.reason !== KEY_REVOKED;
    if (!finished && gone && asked.cancelOnDisconnect) {
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
    { signal, wakeup }: { readonly signal: AbortSignal; readonly wakeup: Wakeup },
    onEvent: (event: RunEvent) => Promise<void>,
  ): Promise<boolean> {
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

const noop = (): void => {};

/** Whether the client's connection is closed already (the request itself ends once read). */
function isGone(raw: ServerResponse): boolean {
  return raw.destroyed || !raw.socket || raw.socket.destroyed;
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
