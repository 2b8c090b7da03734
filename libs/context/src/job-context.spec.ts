import { InvalidJobContextError, scopeFromJob, toJobContext } from './job-context';
import { RunId, TenantId } from './tenant-scope';

describe('job context envelope', () => {
  const runId = 'run_0abc' as RunId;
  const scope = {
    tenantId: 'acme' as TenantId,
    requestId: 'req-1',
    principal: { kind: 'api-key', keyId: 'k' } as const,
  };

  it('should restore the enqueuing tenant and request in the worker', () => {
    const envelope = JSON.parse(JSON.stringify(toJobContext(scope, runId))) as unknown;

    const sut = scopeFromJob(runId, envelope);

    expect(sut).toEqual({
      tenantId: 'acme',
      runId,
      requestId: 'req-1',
      principal: { kind: 'job', jobId: runId },
    });
  });

  it.each([
    ['no envelope', undefined],
    ['an invalid tenant id', { tenantId: 'Not A Tenant', runId, requestId: 'r' }],
    ['a missing request id', { tenantId: 'acme', runId }],
  ])('should reject %s', (_case, envelope) => {
    expect(() => scopeFromJob(runId, envelope)).toThrow(InvalidJobContextError);
  });

  it('should reject an envelope that names another run than its job', () => {
    const envelope = toJobContext(scope, 'run_other' as RunId);

    expect(() => scopeFromJob(runId, envelope)).toThrow(/names run run_other/);
  });
});
