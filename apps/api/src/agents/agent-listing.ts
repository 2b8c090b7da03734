/** An agent as `GET /v1/agents` lists it: from the agent registry, with the live workers serving it. */
export interface AgentListing {
  readonly name: string;
  readonly description: string;
  /** The JSON Schema of the agent's `input`, as the worker that registered it last declared it. */
  readonly inputSchema: Record<string, unknown>;
  /** The version registered last: its description and schema are the ones listed. */
  readonly version: string;
  /** Live worker processes serving the agent now; 0: its runs are accepted and wait for one. */
  readonly workers: number;
  /** The versions live workers serve and how many serve each: more than one while a deploy rolls. */
  readonly versions: readonly { readonly version: string; readonly workers: number }[];
}
