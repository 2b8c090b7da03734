import { Global, Module } from '@nestjs/common';
import { AgentDefinition } from './agent';
import { AGENT_DEFINITIONS, AgentCatalogue } from './agent-catalogue';
import { echoAgent } from './builtin/echo.agent';
import { failingAgent } from './builtin/failing.agent';
import { flakyAgent } from './builtin/flaky.agent';
import { probeAgent } from './builtin/probe.agent';
import { tickerAgent } from './builtin/ticker.agent';

export const BUILTIN_AGENTS: readonly AgentDefinition[] = Object.freeze([
  echoAgent as AgentDefinition,
  tickerAgent as AgentDefinition,
  flakyAgent as AgentDefinition,
  probeAgent as AgentDefinition,
  failingAgent as AgentDefinition,
]);

function uniqueAgents(): readonly AgentDefinition[] {
  const names = BUILTIN_AGENTS.map((agent) => agent.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new Error(`Two agents are named "${duplicate}".`);
  return BUILTIN_AGENTS;
}

@Global()
@Module({
  providers: [{ provide: AGENT_DEFINITIONS, useFactory: uniqueAgents }, AgentCatalogue],
  exports: [AgentCatalogue],
})
export class AgentsModule {}
