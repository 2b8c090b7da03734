import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventSockets } from './event-sockets';
import { RunEventFeed } from './run-event-feed';
import { RunEventsGateway } from './run-events.gateway';
import { SeatRenewal } from './seat-renewal';
import { SocketFlows } from './socket-flows';
import { SocketSubscriptions } from './socket-subscriptions';
import { SubscriptionBackstop } from './subscription-backstop';

@Module({
  imports: [AuthModule],
  providers: [
    RunEventsGateway,
    RunEventFeed,
    EventSockets,
    SocketFlows,
    SocketSubscriptions,
    SeatRenewal,
    SubscriptionBackstop,
  ],
  exports: [EventSockets, RunEventsGateway, RunEventFeed],
})
export class RunEventsModule {}
