import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RunEventsModule } from '../run-events/run-events.module';
import { RunsModule } from '../runs/runs.module';
import { AgentProtocolKeyGuard } from './agent-protocol-key.guard';
import { AgentProtocolController } from './agent-protocol.controller';
import { AssistantsController } from './assistants/assistants.controller';
import { AgentRuns } from './runs/agent-runs.service';
import { AnswersByKey } from './runs/answers-by-key';
import { LaneSweeper } from './runs/lane-sweeper';
import { RunFollowers } from './runs/run-followers';
import { RunStreams } from './runs/run-streams.service';
import { StatelessRunsController } from './runs/stateless-runs.controller';
import { ThreadRunsController } from './runs/thread-runs.controller';
import { ThreadsController } from './threads/threads.controller';

/**
 * LangGraph's Agent Server API under /lg (docs/agent-protocol.md): an unmodified
 * `@langchain/langgraph-sdk` Client with `apiUrl: "<api>/lg"` and a tenant's API key.
 */
@Module({
  imports: [AuthModule, RunsModule, RunEventsModule],
  controllers: [
    AgentProtocolController,
    AssistantsController,
    ThreadsController,
    ThreadRunsController,
    StatelessRunsController,
  ],
  providers: [
    AgentProtocolKeyGuard,
    AgentRuns,
    RunStreams,
    RunFollowers,
    AnswersByKey,
    LaneSweeper,
  ],
  exports: [AnswersByKey, RunFollowers],
})
export class AgentProtocolModule {}
