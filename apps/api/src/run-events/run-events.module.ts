import { Module } from '@nestjs/common';
import { EventSockets } from './event-sockets';
import { RunEventFeed } from './run-event-feed';
import { RunEventsGateway } from './run-events.gateway';

@Module({
  providers: [RunEventsGateway, RunEventFeed, EventSockets],
  exports: [EventSockets, RunEventsGateway],
})
export class RunEventsModule {}
