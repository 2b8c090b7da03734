import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { ThreadLanes } from '@bulkhead/store';
import { AgentRuns } from './agent-runs.service';

/** How often each API process looks at the threads with runs waiting. */
export const LANE_SWEEP_MS = 250;
/** Threads one sweep advances, at most; the others wait for the next sweep. */
const LANES_PER_SWEEP = 100;

/**
 * Moves the lines of threads with runs waiting: a thread's next run is enqueued once its current one
 * ended, however it ended and whichever process ended it (a worker, a cancel, a crash). Every API
 * process sweeps; each takes different threads off the shared mark, so a thread is advanced by one
 * process at a time, and one that still has runs waiting is marked again.
 */
@Injectable()
export class LaneSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(
    private readonly lanes: ThreadLanes,
    private readonly runs: AgentRuns,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), LANE_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) {
      return;
    }
    this.sweeping = true;
    try {
      const lanes = await this.lanes.takeWaiting(LANES_PER_SWEEP);
      await Promise.all(
        lanes.map(({ tenantId, threadId }) =>
          this.runs.advance(tenantId, threadId).catch(async (error: unknown) => {
            this.logger.warn('lanes.advance_failed', { error: describeError(error) });
            await this.lanes.markWaiting(tenantId, threadId);
          }),
        ),
      );
    } catch (error) {
      this.logger.warn('lanes.sweep_failed', { error: describeError(error) });
    } finally {
      this.sweeping = false;
    }
  }
}
