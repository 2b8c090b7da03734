import { csvSummary } from './csv-summary.agent';

/** What `bulkhead-worker dist/src/agents.js` serves: every agent of this project. */
export const agents = [csvSummary];
