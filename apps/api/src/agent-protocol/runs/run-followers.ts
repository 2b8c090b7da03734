import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { TenantId } from '@bulkhead/context';
import { TooManyStreamsError } from '@bulkhead/errors';
import { Appended, FeedListener, RunEventFeed } from '../../run-events/run-event-feed';

/** Told when the run it follows may have new events: it reads them from the run's stream. */
export interface Follower {
  wake(): void;
}

/**
 * One of a tenant's places among this process's streams, joins and waits: taken before anything
 * is created (so a refusal is a 429 with nothing done), and released once, with its response.
 */
export interface Admission {
  /** Wakes `follower` on the run's new events until the returned function is called. */
  follow(runId: string, follower: Follower): () => void;
  release(): void;
}

/**
 * This process's LangGraph streams, joins and waits, each following one run: the event feed's
 * notifications reach the followers of their run. Admissions are bounded per tenant
 * (LG_MAX_STREAMS_PER_TENANT) and in all (LG_MAX_STREAMS); each lives as long as its HTTP
 * response, which releases it.
 */
@Injectable()
export class RunFollowers implements FeedListener, OnModuleInit {
  private readonly byRun = new Map<string, Set<Follower>>();
  private readonly perTenant = new Map<TenantId, number>();
  private total = 0;

  constructor(
    private readonly feed: RunEventFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.feed.listen(this);
  }

  /** A place for one answer of the tenant; throws TooManyStreamsError past a bound. */
  admit(tenantId: TenantId): Admission {
    const held = this.perTenant.get(tenantId) ?? 0;
    if (held >= this.config.LG_MAX_STREAMS_PER_TENANT) {
      throw new TooManyStreamsError(this.config.LG_MAX_STREAMS_PER_TENANT, 'tenant');
    }
    if (this.total >= this.config.LG_MAX_STREAMS) {
      throw new TooManyStreamsError(this.config.LG_MAX_STREAMS, 'process');
    }
    this.perTenant.set(tenantId, held + 1);
    this.total += 1;
    let released = false;
    return {
      follow: (runId, follower) => this.add(keyOf(tenantId, runId), follower),
      release: () => {
        if (released) {
          return;
        }
        released = true;
        this.uncount(tenantId);
      },
    };
  }

  /** Answers admitted and not released yet (what diagnostics and tests read). */
  get size(): number {
    return this.total;
  }

  appended({ tenantId, runId }: Appended): void {
    for (const follower of this.byRun.get(keyOf(tenantId as TenantId, runId)) ?? []) {
      follower.wake();
    }
  }

  resumed(): void {
    for (const followers of this.byRun.values()) {
      for (const follower of followers) {
        follower.wake();
      }
    }
  }

  private add(key: string, follower: Follower): () => void {
    const followers = this.byRun.get(key) ?? new Set<Follower>();
    followers.add(follower);
    this.byRun.set(key, followers);
    return () => {
      followers.delete(follower);
      if (followers.size === 0 && this.byRun.get(key) === followers) {
        this.byRun.delete(key);
      }
    };
  }

  private uncount(tenantId: TenantId): void {
    const held = (this.perTenant.get(tenantId) ?? 1) - 1;
    if (held <= 0) {
      this.perTenant.delete(tenantId);
    } else {
      this.perTenant.set(tenantId, held);
    }
    this.total -= 1;
  }
}

function keyOf(tenantId: TenantId, runId: string): string {
  return `${tenantId}\n${runId}`;
}
