import { Test } from '@nestjs/testing';
import { MissingTenantContextError } from '@bulkhead/errors';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContextModule } from './context.module';
import { TenantContext } from './tenant-context';
import { RunId, TenantId, TenantScope } from './tenant-scope';

function scopeOf(n: number): TenantScope {
  return {
    tenantId: `tenant-${n}` as TenantId,
    runId: `run-${n}` as RunId,
    requestId: `req-${n}`,
    principal: { kind: 'job', jobId: `run-${n}` },
  };
}

describe(TenantContext.name, () => {
  let sut: TenantContext;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ContextModule] }).compile();
    sut = moduleRef.get(TenantContext);
  });

  it('should throw MissingTenantContextError outside any door', () => {
    expect(() => sut.require()).toThrow(MissingTenantContextError);
    expect(sut.current()).toBeUndefined();
  });

  it('should give the scope inside run() and none after it', async () => {
    await sut.run(scopeOf(1), async () => {
      await sleep(1);
      expect(sut.require().tenantId).toBe('tenant-1');
    });

    expect(sut.current()).toBeUndefined();
  });

  it('should freeze the scope so no code can retarget it', () => {
    sut.run(scopeOf(2), () => {
      expect(Object.isFrozen(sut.require())).toBe(true);
    });
  });

  it('should keep 200 interleaved scopes apart at every await, timer, emitter callback and promise chain', async () => {
    const seen: Array<[number, string]> = [];
    const bus = new EventEmitter();
    const record = (n: number) => seen.push([n, sut.require().tenantId]);

    await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        sut.run(scopeOf(n), async () => {
          record(n);
          await sleep(Math.random() * 5);
          record(n);
          await new Promise<void>((resolve) =>
            setTimeout(() => (record(n), resolve()), Math.random() * 5),
          );
          await Promise.resolve()
            .then(() => record(n))
            .then(() => sleep(1))
            .then(() => record(n));
          const heard = new Promise<void>((resolve) =>
            bus.once(`ping-${n}`, () => (record(n), resolve())),
          );
          setImmediate(() => bus.emit(`ping-${n}`));
          await heard;
        }),
      ),
    );

    expect(seen).toHaveLength(200 * 6);
    const mismatches = seen.filter(([n, tenant]) => tenant !== `tenant-${n}`);
    expect(mismatches).toEqual([]);
  });

  it('should not leak a scope into work started outside it afterwards', async () => {
    await sut.run(scopeOf(3), async () => sleep(1));

    const later = await new Promise<TenantScope | undefined>((resolve) =>
      setTimeout(() => resolve(sut.current()), 1),
    );

    expect(later).toBeUndefined();
  });
});
