import { Injectable, OnModuleInit } from '@nestjs/common';
import { PlatformMetrics } from '@bulkhead/metrics';
import { RunFollowers } from '../agent-protocol/runs/run-followers';
import { RunEventsGateway } from '../run-events/run-events.gateway';

/** What an API process holds open, read on each scrape: sockets, their subscriptions, /lg answers. */
@Injectable()
export class ApiGauges implements OnModuleInit {
  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly gateway: RunEventsGateway,
    private readonly followers: RunFollowers,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('bulkhead_sockets', 'Event sockets connected to this API process.', () =>
      this.stat('sockets'),
    );
    this.metrics.gauge(
      'bulkhead_socket_subscriptions',
      "Runs subscribed to by this API process's sockets (socket, run pairs).",
      () => this.stat('runRoomMembers'),
    );
    this.metrics.gauge(
      'bulkhead_lg_answers',
      'LangGraph API streams, joins and waits this API process holds open.',
      () => this.followers.size,
    );
  }

  private stat(name: string): number {
    return this.gateway.stats()[name] ?? 0;
  }
}
