/** An agent as `GET /v1/agents` lists it: from the agent registry, with the live workers serving it. */
export interface AgentListing {
  readonly name: string;
  readonly description: string;
  /** The JSON Schema of the agent's `input`, as the worker that registered it last declared it. */
  readonly inputSchema: Record<string, unknown>;
  /** Live worker processes serving the agent now; 0: its runs are accepted and wait for one. */
  readonly workers: number;
}
