/** One message of a conversation, as a chat call takes it. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** A model the provider serves; the provider's first listed model otherwise. */
  readonly model?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
}

export interface ChatResult {
  readonly message: { readonly role: 'assistant'; readonly content: string };
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  /** The tenant's provider that answered, by its name. */
  readonly provider: string;
  readonly model: string;
}

/** What `stream` yields: text as it arrives, then the whole result, once. */
export type ChatStreamPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'result'; readonly result: ChatResult };

/**
 * `ctx.llm`: the run's tenant's LLM providers, tried in priority order. A call that fails on a
 * provider's rate limit, a 5xx, a connection error or a timeout moves to the next within the same
 * call (emitting `agent.llm.failover`); none left fails it with NoProviderAvailableError. Every
 * call honours the run's signal.
 */
export interface AgentLlm {
  chat(request: ChatRequest): Promise<ChatResult>;
  stream(request: ChatRequest): AsyncIterable<ChatStreamPart>;
}
