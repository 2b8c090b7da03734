import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { ApiKeys, KeyOwner, SEAT_HEARTBEAT_MS } from '@bulkhead/store';
import { KeyOwners } from '../../auth/key-owners';

interface HeldKey {
  readonly tenantId: TenantId;
  readonly keyId: string;
  readonly ends: Set<() => void>;
}

/**
 * The /lg streams, joins and waits this API process holds open, by the API key that opened them, so
 * that a revoked key's answers end: at once when this process forgets the key (the revocation's
 * message, or the revoking request itself), and should that message be lost, at the next check of
 * the held keys, every SEAT_HEARTBEAT_MS (one Redis read per key). Holds as many answers as
 * RunFollowers admits (LG_MAX_STREAMS), each released with its response.
 */
@Injectable()
export class AnswersByKey implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly held = new Map<string, HeldKey>();
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private checking = false;

  constructor(
    private readonly owners: KeyOwners,
    private readonly apiKeys: ApiKeys,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.unwatch = this.owners.whenRevoked((tenantId, keyId) => this.endAll(tenantId, keyId));
    this.timer = setInterval(() => this.checkNow(), SEAT_HEARTBEAT_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.unwatch?.();
  }

  /** `end` is called if the key is revoked before the returned release is. */
  hold({ tenantId, keyId }: KeyOwner, end: () => void): () => void {
    const key = keyOf(tenantId, keyId);
    const held = this.held.get(key) ?? { tenantId, keyId, ends: new Set<() => void>() };
    held.ends.add(end);
    this.held.set(key, held);
    return () => {
      held.ends.delete(end);
      if (held.ends.size === 0 && this.held.get(key) === held) {
        this.held.delete(key);
      }
    };
  }

  /** Answers held open now (what tests read). */
  get size(): number {
    let answers = 0;
    for (const { ends } of this.held.values()) {
      answers += ends.size;
    }
    return answers;
  }

  private endAll(tenantId: string, keyId: string): void {
    const key = keyOf(tenantId, keyId);
    const held = this.held.get(key);
    if (!held) {
      return;
    }
    this.held.delete(key);
    this.logger.info('lg.key_revoked', { tenantId, answers: held.ends.size });
    for (const end of held.ends) {
      end();
    }
  }

  private checkNow(): void {
    if (this.checking) {
      return;
    }
    this.checking = true;
    this.checkAll()
      .catch((error: unknown) => {
        this.logger.warn('lg.key_check_failed', { error: describeError(error) });
      })
      .finally(() => {
        this.checking = false;
      });
  }

  private async checkAll(): Promise<void> {
    const keys = [...this.held.values()];
    await Promise.all(
      keys.map(async ({ tenantId, keyId }) => {
        if (!(await this.apiKeys.isLive(tenantId, keyId))) {
          this.owners.forget(tenantId, keyId);
        }
      }),
    );
  }
}

function keyOf(tenantId: string, keyId: string): string {
  return `${tenantId}\n${keyId}`;
}
