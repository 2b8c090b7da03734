import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { TenantId } from '@bulkhead/context';
import { NoProviderAvailableError } from '@bulkhead/errors';
import { SecretBox, UnreadableSecretError } from '@bulkhead/secrets';
import { CallOutcome, ProviderCredentials, ProviderHealth, StoredProvider } from '@bulkhead/store';
import { LanguageModel, generateText, streamText } from 'ai';
import { AgentLlm, ChatRequest, ChatResult, ChatStreamPart } from './llm';
import { ProviderFailure, failureOf } from './provider-failure';

/** What one attempt's `ctx.llm` needs of its run. */
export interface LlmCaller {
  readonly tenantId: TenantId;
  readonly signal: AbortSignal;
  emit(type: string, data?: unknown): Promise<void>;
}

/** A provider ready to call: its record, its model for this call, and the SDK's model object. */
interface Candidate {
  readonly provider: StoredProvider;
  readonly model: string;
  readonly languageModel: LanguageModel;
}

/**
 * `ctx.llm` for every agent: the run's tenant's providers, tried in priority order, each through the
 * AI SDK's provider for its protocol (no retries of its own: failing over is the retry). Holds no
 * state: providers and their keys are read per call, and the key is opened only to build the
 * request, never logged or emitted.
 */
@Injectable()
export class LlmGateway {
  constructor(
    private readonly providers: ProviderCredentials,
    private readonly health: ProviderHealth,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  forRun(caller: LlmCaller): AgentLlm {
    return {
      chat: (request) => this.chat(caller, request),
      stream: (request) => this.stream(caller, request),
    };
  }

  private async chat(caller: LlmCaller, request: ChatRequest): Promise<ChatResult> {
    const candidates = await this.candidatesFor(caller.tenantId, request);
    const tried: string[] = [];
    for (const [i, candidate] of candidates.entries()) {
      if (!(await this.admitted(caller, candidate, tried))) {
        continue;
      }
      const timeout = this.callTimeout();
      try {
        const answer = await generateText({
          ...callOf(candidate, request),
          abortSignal: AbortSignal.any([caller.signal, timeout]),
        });
        await this.recorded(caller, candidate, { kind: 'success' });
        return resultOf(candidate, answer.text, answer.usage);
      } catch (error) {
        await this.failOver(caller, candidates, i, error, timeout);
      }
    }
    throw new NoProviderAvailableError(caller.tenantId, tried);
  }

  /**
   * Text as it arrives, then the result. An error before a provider's first text fails over like a
   * chat call; after it, that text already reached the agent, so the call fails (StreamBrokenError).
   */
  private async *stream(caller: LlmCaller, request: ChatRequest): AsyncGenerator<ChatStreamPart> {
    const candidates = await this.candidatesFor(caller.tenantId, request);
    const tried: string[] = [];
    for (const [i, candidate] of candidates.entries()) {
      if (!(await this.admitted(caller, candidate, tried))) {
        continue;
      }
      const timeout = this.callTimeout();
      // Aborted when this provider's turn ends: an agent that stops reading ends its request too.
      const turn = new AbortController();
      let text = '';
      try {
        let usage: { inputTokens?: number; outputTokens?: number } = {};
        const signal = AbortSignal.any([caller.signal, timeout, turn.signal]);
        const streamed = streamText({ ...callOf(candidate, request), abortSignal: signal });
        for await (const part of streamed.fullStream) {
          if (part.type === 'text-delta') {
            text += part.text;
            yield { type: 'text', text: part.text };
          } else if (part.type === 'finish') {
            usage = part.totalUsage;
          } else if (part.type === 'error') {
            throw part.error;
          } else if (part.type === 'abort') {
            // The SDK ends an aborted stream quietly: a timeout or a cancel, not an answer.
            throw signal.reason;
          }
        }
        await this.recorded(caller, candidate, { kind: 'success' });
        yield { type: 'result', result: resultOf(candidate, text, usage) };
        return;
      } catch (error) {
        caller.signal.throwIfAborted();
        if (text !== '') {
          throw new StreamBrokenError(candidate.provider.name, error);
        }
        await this.failOver(caller, candidates, i, error, timeout);
      } finally {
        turn.abort();
      }
    }
    throw new NoProviderAvailableError(caller.tenantId, tried);
  }

  private callTimeout(): AbortSignal {
    return AbortSignal.timeout(this.config.LLM_CALL_TIMEOUT_MS);
  }

  /**
   * After candidate i failed: rethrows what no other provider would answer better (the run's own
   * cancel, a request the provider refused as invalid), else says where the call goes next.
   */
  private async failOver(
    caller: LlmCaller,
    candidates: readonly Candidate[],
    i: number,
    error: unknown,
    timeout: AbortSignal,
  ): Promise<void> {
    caller.signal.throwIfAborted();
    const failure = failureOf(error, timeout.aborted);
    if (!failure) {
      throw error;
    }
    const candidate = candidates[i];
    if (candidate) {
      await this.recorded(caller, candidate, outcomeOf(failure));
    }
    await caller.emit('agent.llm.failover', {
      from: candidates[i]?.provider.name,
      to: candidates[i + 1]?.provider.name ?? null,
      reason: failure.reason,
    });
  }

  /**
   * Whether the provider's shared health lets this call use it (ProviderHealth); one that does not
   * is skipped without a request, and named with why in `tried`.
   */
  private async admitted(
    caller: LlmCaller,
    candidate: Candidate,
    tried: string[],
  ): Promise<boolean> {
    const { name, updatedAt } = candidate.provider;
    const admission = await this.health.admit(caller.tenantId, name, updatedAt);
    const usable = admission === 'ok' || admission === 'trial';
    tried.push(usable ? name : `${name} (${admission})`);
    return usable;
  }

  private async recorded(
    caller: LlmCaller,
    candidate: Candidate,
    outcome: CallOutcome,
  ): Promise<void> {
    const { name, updatedAt } = candidate.provider;
    await this.health.record(caller.tenantId, name, updatedAt, outcome);
  }

  /** The tenant's enabled providers in priority order that serve the model and whose key opens. */
  private async candidatesFor(tenantId: TenantId, request: ChatRequest): Promise<Candidate[]> {
    const providers = await this.providers.list(tenantId);
    return providers.flatMap((provider) => {
      const model = modelFor(provider, request.model);
      if (!provider.enabled || model === undefined) {
        return [];
      }
      const apiKey = this.keyOf(tenantId, provider);
      return apiKey === undefined
        ? []
        : [{ provider, model, languageModel: languageModelOf(provider, apiKey, model) }];
    });
  }

  private keyOf(tenantId: TenantId, provider: StoredProvider): string | undefined {
    try {
      return this.secrets.open(provider.sealedKey, `${tenantId}/${provider.name}`);
    } catch (error) {
      if (error instanceof UnreadableSecretError) {
        return undefined;
      }
      throw error;
    }
  }
}

/** A stream that failed after some of its text reached the agent: not failed over. */
export class StreamBrokenError extends Error {
  constructor(provider: string, cause: unknown) {
    super(`The reply from provider ${provider} broke off mid-stream.`, { cause });
  }
}

/** The model asked for if the provider serves it (or lists none); its first model otherwise. */
function modelFor(provider: StoredProvider, asked: string | undefined): string | undefined {
  if (asked !== undefined) {
    return provider.models.length === 0 || provider.models.includes(asked) ? asked : undefined;
  }
  return provider.models[0];
}

function languageModelOf(provider: StoredProvider, apiKey: string, model: string): LanguageModel {
  if (provider.type === 'anthropic') {
    return createAnthropic({ baseURL: provider.baseUrl, apiKey })(model);
  }
  return createOpenAICompatible({
    name: provider.name,
    baseURL: provider.baseUrl,
    apiKey,
    includeUsage: true,
  })(model);
}

function callOf(candidate: Candidate, request: ChatRequest) {
  return {
    model: candidate.languageModel,
    messages: [...request.messages],
    temperature: request.temperature,
    maxOutputTokens: request.maxTokens,
    maxRetries: 0,
  };
}

/** What a failure tells the provider's shared health. */
function outcomeOf(failure: ProviderFailure): CallOutcome {
  switch (failure.reason) {
    case 'rate_limited':
      return failure.retryAfterMs === undefined
        ? { kind: 'rate_limited' }
        : { kind: 'rate_limited', retryAfterMs: failure.retryAfterMs };
    case 'unauthorized':
      return { kind: 'unauthorized' };
    case 'server_error':
    case 'connection_error':
    case 'timeout':
      return { kind: 'failure' };
  }
}

function resultOf(
  candidate: Candidate,
  content: string,
  usage: { inputTokens?: number; outputTokens?: number },
): ChatResult {
  return {
    message: { role: 'assistant', content },
    usage: { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 },
    provider: candidate.provider.name,
    model: candidate.model,
  };
}
