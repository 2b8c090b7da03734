export {
  AGENT_NAME_PATTERN,
  AgentContext,
  AgentDefinition,
  AgentLogger,
  AgentSpec,
  Backoff,
  defineAgent,
} from './agent';
export { manifestOf } from './agent-manifest';
export { WorkerHandle, WorkerOptions, runWorkerProcess, startWorker } from './start-worker';
