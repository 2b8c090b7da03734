import { ContextIdFactory } from '@nestjs/core';
import { Test, TestingModule } from '@nestjs/testing';
import { TenantId } from '@bulkhead/context';
import { CrossTenantAccessError } from '@bulkhead/errors';
import { ExecutionRegistry, RegistryDisposedError } from './execution-registry';
import { RegistryMonitor } from './registry-monitor';
import { RegistryModule } from './registry.module';

const acme = 'acme' as TenantId;
const globex = 'globex' as TenantId;

describe(ExecutionRegistry.name, () => {
  let moduleRef: TestingModule;
  let monitor: RegistryMonitor;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({ imports: [RegistryModule] }).compile();
    monitor = moduleRef.get(RegistryMonitor);
  });

  const open = (tenantId: TenantId) =>
    moduleRef
      .resolve(ExecutionRegistry, ContextIdFactory.create(), { strict: false })
      .then((r) => r.bind(tenantId));

  it('should give each of 100 concurrent scopes its own instance, and one scope one instance', async () => {
    const contextIds = Array.from({ length: 100 }, () => ContextIdFactory.create());

    const first = await Promise.all(
      contextIds.map((id) => moduleRef.resolve(ExecutionRegistry, id, { strict: false })),
    );
    const again = await Promise.all(
      contextIds.map((id) => moduleRef.resolve(ExecutionRegistry, id, { strict: false })),
    );

    expect(new Set(first.map((r) => r.id)).size).toBe(100);
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
  });

  it('should share one RegistryMonitor across all scopes', async () => {
    const [a, b] = await Promise.all([open(acme), open(globex)]);

    expect(monitor.counts().live).toBe(2);
    await Promise.all([a.dispose(), b.dispose()]);
    expect(monitor.counts()).toEqual({ live: 0, opened: 2, disposed: 2 });
  });

  it('should throw when a resource of another tenant is tracked, and when rebound to another tenant', async () => {
    const sut = await open(acme);

    expect(() => sut.track(globex, () => undefined)).toThrow(CrossTenantAccessError);
    expect(() => sut.bind(globex)).toThrow(CrossTenantAccessError);
    expect(sut.size).toBe(0);
  });

  it('should run every disposer once, newest first, even when one throws', async () => {
    const sut = await open(acme);
    const order: string[] = [];
    sut.track(acme, () => void order.push('first'));
    sut.track(acme, () => {
      order.push('second');
      throw new Error('broken disposer');
    });
    sut.track(acme, () => void order.push('third'));

    await expect(sut.dispose()).rejects.toThrow('broken disposer');
    await sut.dispose();

    expect(order).toEqual(['third', 'second', 'first']);
    expect(monitor.counts().live).toBe(0);
  });

  it('should release a resource early and not dispose it again at the end', async () => {
    const sut = await open(acme);
    const dispose = jest.fn();
    const release = sut.track(acme, dispose);

    await release();
    await release();
    await sut.dispose();

    expect(dispose).toHaveBeenCalledTimes(1);
    expect(sut.size).toBe(0);
  });

  it('should abort its controllers when the scope ends', async () => {
    const sut = await open(acme);
    const controller = sut.abortController(acme);

    await sut.dispose();

    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBeInstanceOf(RegistryDisposedError);
  });

  it('should refuse new resources once disposed', async () => {
    const sut = await open(acme);
    await sut.dispose();

    expect(() => sut.track(acme, () => undefined)).toThrow(RegistryDisposedError);
  });
});
