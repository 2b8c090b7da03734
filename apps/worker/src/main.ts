import { offeredAgents } from '@bulkhead/agents';
import { runWorkerProcess } from '@bulkhead/worker';

// The platform's own worker: the built-in agents, hosted on the worker SDK like any team's.
void runWorkerProcess(offeredAgents);
