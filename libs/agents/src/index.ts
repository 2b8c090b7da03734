export { BUILTIN_AGENTS, TEST_AGENTS, offeredAgents } from './builtin-agents';
