import { Test } from '@nestjs/testing';
import { ContextModule, RunId, TenantContext, TenantId, TenantScope } from '@bulkhead/context';
import { CrossTenantAccessError, MissingTenantContextError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { EventLog } from '@bulkhead/store';
import { AgentEventRejectedError } from './agent-event';
import { AgentLlm } from '../llm/llm';
import { agentRunContext } from './agent-run-context';

const tenantId = 'acme' as TenantId;
const runId = 'run-1' as RunId;

function scopeOf(tenant: TenantId): TenantScope {
  return { tenantId: tenant, runId, requestId: 'r', principal: { kind: 'job', jobId: runId } };
}

describe('agentRunContext', () => {
  let context: TenantContext;
  const appended: unknown[][] = [];
  const events = {
    append: (...args: unknown[]) => Promise.resolve((appended.push(args), appended.length)),
  } as unknown as EventLog;
  const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as AppLogger;
  const noLlm = { chat: jest.fn(), stream: jest.fn() } as unknown as AgentLlm;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ContextModule] }).compile();
    context = moduleRef.get(TenantContext);
  });

  beforeEach(() => appended.splice(0));

  const sut = () =>
    agentRunContext(
      { tenantId, runId, agent: 'echo', attempt: 1, signal: new AbortController().signal },
      { events, logger, context, maxEventBytes: 65_536, llm: () => noLlm },
    );

  it("should append an event when the ambient context is the run's own", async () => {
    await context.run(scopeOf(tenantId), () => sut().emit('agent.progress', { step: 1 }));

    expect(appended).toEqual([[tenantId, runId, 'agent.progress', { step: 1 }]]);
  });

  it("should refuse to emit inside another tenant's context", async () => {
    const foreign = scopeOf('globex' as TenantId);

    await expect(context.run(foreign, () => sut().emit('agent.progress', {}))).rejects.toThrow(
      CrossTenantAccessError,
    );
    expect(appended).toEqual([]);
  });

  it('should refuse to emit with no context at all', async () => {
    await expect(sut().emit('agent.progress', {})).rejects.toThrow(MissingTenantContextError);
  });

  it.each([['run.succeeded'], ['progress'], ['agent.']])(
    'should refuse the event type %s',
    async (type) => {
      await expect(context.run(scopeOf(tenantId), () => sut().emit(type, {}))).rejects.toThrow(
        AgentEventRejectedError,
      );
    },
  );
});
