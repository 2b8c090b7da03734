import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AgentProtocolKeyGuard } from './agent-protocol-key.guard';
import { AgentProtocolController } from './agent-protocol.controller';
import { AssistantsController } from './assistants/assistants.controller';
import { ThreadsController } from './threads/threads.controller';

/**
 * LangGraph's Agent Server API under /lg (docs/agent-protocol.md): an unmodified
 * `@langchain/langgraph-sdk` Client with `apiUrl: "<api>/lg"` and a tenant's API key.
 */
@Module({
  imports: [AuthModule],
  controllers: [AgentProtocolController, AssistantsController, ThreadsController],
  providers: [AgentProtocolKeyGuard],
})
export class AgentProtocolModule {}
