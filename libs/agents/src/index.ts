export {
  AgentContext,
  AgentDefinition,
  AgentLogger,
  AgentSpec,
  Backoff,
  defineAgent,
} from './agent';
export { AgentCatalogue, AgentDescription, AGENT_DEFINITIONS } from './agent-catalogue';
export { manifestOf } from './agent-manifest';
export { AgentsModule, BUILTIN_AGENTS, TEST_AGENTS } from './agents.module';
