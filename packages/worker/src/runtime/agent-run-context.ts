import { AgentContext, AgentLogger } from '../agent';
import { AgentLlm } from '../llm/llm';
import type { LlmCaller } from '../llm/llm-gateway';
import { RunId, TenantContext, TenantId } from '@bulkhead/context';
import { CrossTenantAccessError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { EventLog } from '@bulkhead/store';
import { AgentEventRejectedError, checkedEvent } from './agent-event';
import { PlatformUnavailableError } from './worker-stopping';

export interface AgentRunParts {
  readonly tenantId: TenantId;
  readonly runId: RunId;
  readonly agent: string;
  readonly attempt: number;
  readonly signal: AbortSignal;
}

export interface AgentRunServices {
  readonly events: EventLog;
  readonly logger: AppLogger;
  readonly context: TenantContext;
  /** EVENT_MAX_BYTES: the largest JSON of one event's data. */
  readonly maxEventBytes: number;
  /** Builds the attempt's ctx.llm, bound to its tenant, signal and emit. */
  readonly llm: (caller: LlmCaller) => AgentLlm;
}

/**
 * The ctx an agent receives: emit goes to the run's event log, lines to the tenant-aware logger.
 * Every emit first checks that the ambient tenant context is still this run's, wherever in the
 * agent's awaits, timers or callbacks it is called from: a lost or leaked context fails the emit.
 */
export function agentRunContext(parts: AgentRunParts, services: AgentRunServices): AgentContext {
  const { tenantId, runId, agent, attempt, signal } = parts;
  const { events, logger, context, maxEventBytes, llm } = services;
  const emit: AgentContext['emit'] = async (type, data) => {
    assertScopeOf(context, tenantId, runId);
    const payload = checkedEvent(type, data, maxEventBytes);
    const id = await events.append(tenantId, runId, type, payload).catch((error: unknown) => {
      throw new PlatformUnavailableError(error);
    });
    if (id === undefined) {
      throw new AgentEventRejectedError(`Run ${runId} is no longer running; stop emitting.`);
    }
  };
  return {
    tenantId,
    runId,
    attempt,
    signal,
    emit,
    logger: agentLogger(logger, agent),
    llm: llm({ tenantId, runId, signal, emit }),
  };
}

function assertScopeOf(context: TenantContext, tenantId: TenantId, runId: RunId): void {
  const scope = context.require();
  if (scope.tenantId !== tenantId || scope.runId !== runId) {
    throw new CrossTenantAccessError(
      `${tenantId}/${runId}`,
      `${scope.tenantId}/${scope.runId ?? '-'}`,
    );
  }
}

/** Fields pino writes itself: agent code cannot set them (the context's ids win as well). */
const RESERVED_LOG_FIELDS: readonly string[] = Object.freeze([
  'level',
  'time',
  'msg',
  'pid',
  'hostname',
]);

function agentLogger(logger: AppLogger, agent: string): AgentLogger {
  const own = (fields: Record<string, unknown>) => ({
    ...Object.fromEntries(
      Object.entries(fields).filter(([key]) => !RESERVED_LOG_FIELDS.includes(key)),
    ),
    agent,
  });
  return {
    info: (event, fields = {}) => logger.info(event, own(fields)),
    warn: (event, fields = {}) => logger.warn(event, own(fields)),
    error: (event, fields = {}) => logger.error(event, own(fields)),
  };
}
