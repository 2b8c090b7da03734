import { Injectable } from '@nestjs/common';

export interface RegistryCounts {
  readonly live: number;
  readonly opened: number;
  readonly disposed: number;
}

/**
 * Process-wide count of ExecutionRegistry instances: two integers, shared by every tenant, holding
 * no reference to any registry, so it cannot keep a scope alive. Tests read it to prove scopes end.
 */
@Injectable()
export class RegistryMonitor {
  private openedCount = 0;
  private disposedCount = 0;

  opened(): void {
    this.openedCount += 1;
  }

  disposed(): void {
    this.disposedCount += 1;
  }

  counts(): RegistryCounts {
    return {
      live: this.openedCount - this.disposedCount,
      opened: this.openedCount,
      disposed: this.disposedCount,
    };
  }
}
