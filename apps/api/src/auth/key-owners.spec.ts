import { EventEmitter } from 'node:events';
import { TenantId } from '@bulkhead/context';
import { AppLogger } from '@bulkhead/logging';
import { ApiKeys, KeyOwner, RedisConnections, RedisKeys } from '@bulkhead/store';
import { KeyOwners } from './key-owners';

const OWNER: KeyOwner = { tenantId: 'acme' as TenantId, keyId: 'key_1' };

/** ApiKeys whose answers the test releases by hand, counting the reads. */
class HeldApiKeys {
  reads = 0;
  private release: Array<() => void> = [];

  resolve(): Promise<KeyOwner | undefined> {
    this.reads += 1;
    return new Promise((resolve) => this.release.push(() => resolve(OWNER)));
  }

  answerAll(): void {
    this.release.splice(0).forEach((answer) => answer());
  }
}

/** A subscriber connection that subscribes at once and can be made to drop. */
class FakeSubscriber extends EventEmitter {
  subscribe(): Promise<number> {
    return Promise.resolve(1);
  }

  unsubscribe(): Promise<number> {
    return Promise.resolve(0);
  }
}

describe(KeyOwners.name, () => {
  let apiKeys: HeldApiKeys;
  let subscriber: FakeSubscriber;
  let sut: KeyOwners;

  beforeEach(async () => {
    apiKeys = new HeldApiKeys();
    subscriber = new FakeSubscriber();
    const connections = { open: () => subscriber } as unknown as RedisConnections;
    const keys = { keyRevocationsChannel: 'bh-spec:channel:key-revoked' } as RedisKeys;
    const logger = { warn: jest.fn() } as unknown as AppLogger;
    sut = new KeyOwners(apiKeys as unknown as ApiKeys, connections, keys, logger);
    await sut.onApplicationBootstrap();
  });

  async function resolved(): Promise<KeyOwner | undefined> {
    const answer = sut.resolve('bk_acme_secret');
    await Promise.resolve();
    apiKeys.answerAll();
    return answer;
  }

  it('should answer a key from its cache once it was read', async () => {
    await resolved();

    await sut.resolve('bk_acme_secret');

    expect(apiKeys.reads).toBe(1);
  });

  it('should not keep an answer read while the key was revoked', async () => {
    const inFlight = sut.resolve('bk_acme_secret');
    sut.forget(OWNER.tenantId, OWNER.keyId);
    apiKeys.answerAll();
    await inFlight;

    const next = resolved();

    await next;
    expect(apiKeys.reads).toBe(2);
  });

  it('should read every key from Redis while revocations cannot be heard', async () => {
    await resolved();

    subscriber.emit('close');
    await resolved();

    expect(apiKeys.reads).toBe(2);
  });
});
