import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RegistryCounts, RegistryMonitor } from '@bulkhead/registry';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

export const PROCESS_EXTRA_STATS = Symbol('ProcessExtraStats');
export type ExtraStats = () => Record<string, number>;

export interface ProcessStats {
  readonly pid: number;
  readonly heapUsed: number;
  readonly rss: number;
  readonly gcForced: boolean;
  readonly registries: RegistryCounts;
  readonly extra: Record<string, number>;
}

type Request = { readonly id: number; readonly type: 'stats' | 'heap-snapshot' };

/**
 * Diagnostics for the test suites that prove isolation and flat memory: heap after a forced GC, live
 * ExecutionRegistry count, and the app's own counts (sockets, rooms). It answers only the parent
 * process over IPC, and only when BULKHEAD_DIAGNOSTICS_IPC is on: nothing is reachable over the network.
 */
@Injectable()
export class DiagnosticsChannel implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly onMessage = (message: unknown) => this.answer(message);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly monitor: RegistryMonitor,
    @Inject(PROCESS_EXTRA_STATS) private readonly extraStats: ExtraStats,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.BULKHEAD_DIAGNOSTICS_IPC || !process.send) {
      return;
    }
    process.on('message', this.onMessage);
  }

  onApplicationShutdown(): void {
    process.off('message', this.onMessage);
  }

  stats(): ProcessStats {
    const gc = (globalThis as { gc?: () => void }).gc;
    // A second full collection reclaims what the first one's weak callbacks and finalizers released.
    gc?.();
    gc?.();
    const memory = process.memoryUsage();
    return {
      pid: process.pid,
      heapUsed: memory.heapUsed,
      rss: memory.rss,
      gcForced: gc !== undefined,
      registries: this.monitor.counts(),
      extra: this.extraStats(),
    };
  }

  private answer(message: unknown): void {
    if (!isRequest(message)) {
      return;
    }
    const body = message.type === 'stats' ? this.stats() : { path: this.snapshot() };
    process.send?.({ id: message.id, ...body });
  }

  private snapshot(): string {
    return writeHeapSnapshot(join(tmpdir(), `bulkhead-${process.pid}-${Date.now()}.heapsnapshot`));
  }
}

function isRequest(message: unknown): message is Request {
  if (typeof message !== 'object' || message === null) {
    return false;
  }
  const { id, type } = message as Partial<Request>;
  return typeof id === 'number' && (type === 'stats' || type === 'heap-snapshot');
}
