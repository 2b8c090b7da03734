import { z } from 'zod';
import { AgentContext, ChatResult, defineAgent } from '@bulkhead/worker';

/** A reply's text reaches subscribers at most this long after it arrived, or in this many pieces. */
const FLUSH_EVERY_MS = 50;
const FLUSH_EVERY_TOKENS = 64;

export const chatAgent = defineAgent({
  name: 'chat',
  description:
    "Answers a conversation with the tenant's LLM providers (failover between them), streaming the reply as agent.token {text} events.",
  input: z.strictObject({
    messages: z
      .array(
        z.strictObject({
          role: z.enum(['system', 'user', 'assistant']),
          content: z.string().min(1).max(32_000),
        }),
      )
      .min(1)
      .max(100),
    model: z.string().min(1).max(200).optional(),
    temperature: z.number().min(0).max(2).optional(),
  }),
  run: async (ctx, { messages, model, temperature }) => {
    const tokens = new TokenBatcher(ctx);
    let result: ChatResult | undefined;
    try {
      for await (const part of ctx.llm.stream({ messages, model, temperature })) {
        if (part.type === 'text') {
          tokens.add(part.text);
        } else {
          result = part.result;
        }
      }
    } finally {
      await tokens.close();
    }
    if (!result) {
      throw new Error('The provider ended its reply without a result.');
    }
    return result;
  },
});

/**
 * Batches streamed text into agent.token events: one every FLUSH_EVERY_MS while text arrives, or
 * sooner at FLUSH_EVERY_TOKENS pieces, so a long reply is tens of events, not thousands. Emits run
 * one after another, in order.
 */
class TokenBatcher {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private emitting: Promise<void> = Promise.resolve();
  /** The first emit that failed (the run was cancelled, say): later text is not sent. */
  private failure: Error | undefined;

  constructor(private readonly ctx: AgentContext) {}

  add(text: string): void {
    this.pending.push(text);
    if (this.pending.length >= FLUSH_EVERY_TOKENS) {
      this.flush();
    } else {
      this.timer ??= setTimeout(() => this.flush(), FLUSH_EVERY_MS);
    }
  }

  /** Sends what is left and waits for every emit; an emit's failure surfaces here. */
  async close(): Promise<void> {
    this.flush();
    await this.emitting;
    if (this.failure !== undefined) {
      throw this.failure;
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) {
      return;
    }
    const text = this.pending.join('');
    this.pending = [];
    // Caught at once, so a failed emit is never an unhandled rejection; close() rethrows it.
    this.emitting = this.emitting
      .then(() => (this.failure === undefined ? this.ctx.emit('agent.token', { text }) : undefined))
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      });
  }
}
