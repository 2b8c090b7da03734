export {
  AgentContext,
  AgentDefinition,
  AgentLogger,
  AgentSpec,
  Backoff,
  defineAgent,
} from './agent';
export { manifestOf } from './agent-manifest';
export { AGENT_NAME_PATTERN } from '@bulkhead/store';
export { WorkerHandle, WorkerOptions, runWorkerProcess, startWorker } from './start-worker';
export { AgentLlm, ChatMessage, ChatRequest, ChatResult, ChatStreamPart } from './llm/llm';
