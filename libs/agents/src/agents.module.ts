import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { AgentDefinition } from './agent';
import { AGENT_DEFINITIONS, AgentCatalogue } from './agent-catalogue';
import { echoAgent } from './builtin/echo.agent';
import { failingAgent } from './builtin/failing.agent';
import { flakyAgent } from './builtin/flaky.agent';
import { misbehaveAgent } from './builtin/misbehave.agent';
import { probeAgent } from './builtin/probe.agent';
import { tickerAgent } from './builtin/ticker.agent';

/** The agents every deployment offers. */
export const BUILTIN_AGENTS: readonly AgentDefinition[] = Object.freeze([
  echoAgent as AgentDefinition,
  tickerAgent as AgentDefinition,
  flakyAgent as AgentDefinition,
]);

/** Diagnostics for the test suites, offered only with BULKHEAD_TEST_AGENTS=true. */
export const TEST_AGENTS: readonly AgentDefinition[] = Object.freeze([
  probeAgent as AgentDefinition,
  failingAgent as AgentDefinition,
  misbehaveAgent as AgentDefinition,
]);

function offeredAgents(config: AppConfig): readonly AgentDefinition[] {
  const agents = config.BULKHEAD_TEST_AGENTS ? [...BUILTIN_AGENTS, ...TEST_AGENTS] : BUILTIN_AGENTS;
  const names = agents.map((agent) => agent.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) {
    throw new Error(`Two agents are named "${duplicate}".`);
  }
  return agents;
}

@Global()
@Module({
  providers: [
    { provide: AGENT_DEFINITIONS, useFactory: offeredAgents, inject: [APP_CONFIG] },
    AgentCatalogue,
  ],
  exports: [AgentCatalogue],
})
export class AgentsModule {}
