import { AppConfig } from '@bulkhead/config';
import { AgentDefinition } from '@bulkhead/worker';
import { chatAgent } from './builtin/chat.agent';
import { echoAgent } from './builtin/echo.agent';
import { failingAgent } from './builtin/failing.agent';
import { flakyAgent } from './builtin/flaky.agent';
import { misbehaveAgent } from './builtin/misbehave.agent';
import { probeAgent } from './builtin/probe.agent';
import { tickerAgent } from './builtin/ticker.agent';

/** The agents every deployment offers, written with the worker SDK like anyone's. */
export const BUILTIN_AGENTS: readonly AgentDefinition[] = Object.freeze([
  echoAgent as AgentDefinition,
  tickerAgent as AgentDefinition,
  flakyAgent as AgentDefinition,
  chatAgent as AgentDefinition,
]);

/** Diagnostics for the test suites, offered only with BULKHEAD_TEST_AGENTS=true. */
export const TEST_AGENTS: readonly AgentDefinition[] = Object.freeze([
  probeAgent as AgentDefinition,
  failingAgent as AgentDefinition,
  misbehaveAgent as AgentDefinition,
]);

/** What the platform's own worker (`npm run start:worker`) serves. */
export function offeredAgents(config: AppConfig): readonly AgentDefinition[] {
  return config.BULKHEAD_TEST_AGENTS ? [...BUILTIN_AGENTS, ...TEST_AGENTS] : BUILTIN_AGENTS;
}
