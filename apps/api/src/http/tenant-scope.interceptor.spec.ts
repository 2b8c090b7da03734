import { CallHandler, ExecutionContext } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ContextModule, TenantContext, TenantId } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { RegistryDisposedError, RegistryModule, RegistryMonitor } from '@bulkhead/registry';
import { firstValueFrom, from } from 'rxjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthenticatedRequest } from '../auth/authenticated-request';
import { TenantScopeInterceptor } from './tenant-scope.interceptor';

interface Seen {
  readonly request: number;
  readonly registryId: string;
  readonly scopeId: string | undefined;
  readonly registryTenant: string;
  readonly ambientTenant: string;
}

describe(TenantScopeInterceptor.name, () => {
  let moduleRef: TestingModule;
  let sut: TenantScopeInterceptor;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ContextModule, RegistryModule],
      providers: [TenantScopeInterceptor, { provide: AppLogger, useValue: { error: jest.fn() } }],
    }).compile();
    sut = moduleRef.get(TenantScopeInterceptor);
  });

  function httpContext(request: object): ExecutionContext {
    return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
  }

  /** A handler that looks at its scope twice, across an await, the way a controller would. */
  function recordingHandler(n: number, request: AuthenticatedRequest, seen: Seen[]): CallHandler {
    const context = moduleRef.get(TenantContext);
    return {
      handle: () =>
        from(
          (async () => {
            await sleep(Math.random() * 5);
            const registry = await request.bulkheadScope!.registry();
            expect(await request.bulkheadScope!.registry()).toBe(registry);
            seen.push({
              request: n,
              registryId: registry.id,
              scopeId: context.require().scopeId,
              registryTenant: registry.tenantId,
              ambientTenant: context.require().tenantId,
            });
            return n;
          })(),
        ),
    };
  }

  it('should give 100 concurrent requests that ask their own registry and tenant context, then dispose every registry', async () => {
    const seen: Seen[] = [];
    const requests = Array.from({ length: 100 }, (_, n) => ({
      id: `req-${n}`,
      bulkheadOwner: { tenantId: `tenant-${n % 9}` as TenantId, keyId: `key-${n}` },
    })) as unknown as AuthenticatedRequest[];

    const answers = await Promise.all(
      requests.map(async (request, n) =>
        firstValueFrom(sut.intercept(httpContext(request), recordingHandler(n, request, seen))),
      ),
    );

    expect(answers).toEqual(requests.map((_, n) => n));
    expect(new Set(seen.map((s) => s.registryId)).size).toBe(100);
    expect(seen.filter((s) => s.scopeId !== s.registryId)).toEqual([]);
    const wrong = seen.filter(
      (s) => s.registryTenant !== `tenant-${s.request % 9}` || s.ambientTenant !== s.registryTenant,
    );
    expect(wrong).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(moduleRef.get(RegistryMonitor).counts()).toEqual({
      live: 0,
      opened: 100,
      disposed: 100,
    });
  });

  it('should give every request its own scope id but build a registry only for a handler that asks', async () => {
    const context = moduleRef.get(TenantContext);
    const requests = Array.from({ length: 20 }, (_, n) => ({
      id: `req-${n}`,
      bulkheadOwner: { tenantId: 'acme' as TenantId, keyId: 'key' },
    })) as unknown as AuthenticatedRequest[];

    const scopeIds = await Promise.all(
      requests.map((request) =>
        firstValueFrom(
          sut.intercept(httpContext(request), { handle: () => from([context.require().scopeId]) }),
        ),
      ),
    );

    expect(new Set(scopeIds).size).toBe(20);
    expect(moduleRef.get(RegistryMonitor).counts().opened).toBe(0);
  });

  it('should refuse a registry once the response is done', async () => {
    const request = {
      id: 'late',
      bulkheadOwner: { tenantId: 'acme' as TenantId, keyId: 'key' },
    } as unknown as AuthenticatedRequest;

    await firstValueFrom(sut.intercept(httpContext(request), { handle: () => from([1]) }));
    await new Promise((resolve) => setImmediate(resolve));

    await expect(request.bulkheadScope!.registry()).rejects.toThrow(RegistryDisposedError);
    expect(moduleRef.get(RegistryMonitor).counts().opened).toBe(0);
  });

  it('should open no registry and no context for a request without an API key owner', async () => {
    const context = moduleRef.get(TenantContext);

    const ambient = await firstValueFrom(
      sut.intercept(httpContext({ id: 'admin' }), {
        handle: () => from([context.current()]),
      }),
    );

    expect(ambient).toBeUndefined();
    expect(moduleRef.get(RegistryMonitor).counts().opened).toBe(0);
  });
});
