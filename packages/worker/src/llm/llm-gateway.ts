import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { RunId, TenantId } from '@bulkhead/context';
import { NoProviderAvailableError, TokenBudgetExhaustedError } from '@bulkhead/errors';
import { SecretBox, UnreadableSecretError } from '@bulkhead/secrets';
import {
  CallOutcome,
  ProviderCredentials,
  ProviderHealth,
  StoredProvider,
  TokenUsage,
  providerKeyContext,
} from '@bulkhead/store';
import { LanguageModel, generateText, streamText } from 'ai';
import { LRUCache } from 'lru-cache';
import { AgentLlm, ChatRequest, ChatResult, ChatStreamPart } from './llm';
import { PlatformUnavailableError } from '../runtime/worker-stopping';
import { ProviderFailure, failureOf } from './provider-failure';

/** Language models the gateway keeps built, over all tenants (its only state). */
export const MAX_CACHED_MODELS = 1_000;
const LANGUAGE_MODEL_TTL_MS = 10 * 60_000;
const MAX_CACHED_MODEL_NAME = 200;
/** How a stream that never finished is counted when its provider gave no figures: ~4 characters a token. */
const CHARS_PER_TOKEN = 4;

/** What one attempt's `ctx.llm` needs of its run. */
export interface LlmCaller {
  readonly tenantId: TenantId;
  /** The run whose usage the calls' tokens count in. */
  readonly runId: RunId;
  readonly signal: AbortSignal;
  emit(type: string, data?: unknown): Promise<void>;
}

/** A provider ready to call: its record, its model for this call, and the SDK's model object. */
interface Candidate {
  readonly provider: StoredProvider;
  readonly model: string;
  readonly languageModel: LanguageModel;
}

/** Tokens as the AI SDK reports them: a provider may leave either out. */
interface TokenCounts {
  readonly inputTokens?: number | undefined;
  readonly outputTokens?: number | undefined;
}

type CountedTokens = { readonly [K in keyof TokenCounts]-?: number };

/** One provider's turn at a call: what to call, its own timeout, and the provider after it. */
interface Turn {
  readonly candidate: Candidate;
  readonly timeout: AbortSignal;
  readonly next: string | null;
}

/**
 * `ctx.llm` for every agent: the run's tenant's providers, tried in priority order, each through the
 * AI SDK's provider for its protocol (no retries of its own: failing over is the retry). Holds no
 * state: providers are read per call, and a key is opened only when its provider's turn comes, and
 * is never logged or emitted.
 */
@Injectable()
export class LlmGateway {
  /**
   * Models built for the tenants' providers, keyed by tenant, provider version and model: at most
   * MAX_CACHED_MODELS, each purged LANGUAGE_MODEL_TTL_MS after it was built (read or not), so a
   * changed or removed provider's key leaves memory within that time. Only ever read for the tenant
   * that built it.
   */
  private readonly models = new LRUCache<string, LanguageModel>({
    max: MAX_CACHED_MODELS,
    ttl: LANGUAGE_MODEL_TTL_MS,
    ttlAutopurge: true,
  });

  constructor(
    private readonly providers: ProviderCredentials,
    private readonly health: ProviderHealth,
    private readonly tokens: TokenUsage,
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
    const tried: string[] = [];
    for await (const turn of this.turnsOf(caller, request, tried)) {
      let answer: Awaited<ReturnType<typeof generateText>>;
      try {
        answer = await generateText({
          ...callOf(turn.candidate, request),
          abortSignal: AbortSignal.any([caller.signal, turn.timeout]),
        });
      } catch (error) {
        await this.failOver(caller, turn, error);
        continue;
      }
      return this.succeeded(caller, turn, answer.text, answer.usage);
    }
    throw new NoProviderAvailableError(caller.tenantId, tried);
  }

  /**
   * Text as it arrives, then the result. An error before a provider's first text fails over like a
   * chat call; after it, that text already reached the agent, so the call fails (StreamBrokenError).
   */
  private async *stream(caller: LlmCaller, request: ChatRequest): AsyncGenerator<ChatStreamPart> {
    const tried: string[] = [];
    for await (const turn of this.turnsOf(caller, request, tried)) {
      // Aborted when this provider's turn ends: an agent that stops reading ends its request too.
      const ended = new AbortController();
      let text = '';
      let usage: TokenCounts = {};
      let finished = false;
      try {
        const signal = AbortSignal.any([caller.signal, turn.timeout, ended.signal]);
        const streamed = streamText({ ...callOf(turn.candidate, request), abortSignal: signal });
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
        finished = true;
      } catch (error) {
        caller.signal.throwIfAborted();
        if (text !== '') {
          throw new StreamBrokenError(turn.candidate.provider.name, error);
        }
        await this.failOver(caller, turn, error);
        continue;
      } finally {
        ended.abort();
        if (!finished && text !== '') {
          // It broke off, was cancelled or the agent stopped reading: what it used still counts.
          await this.countUnfinished(caller, turn.candidate, estimatedCounts(request, text, usage));
        }
      }
      yield { type: 'result', result: await this.succeeded(caller, turn, text, usage) };
      return;
    }
    throw new NoProviderAvailableError(caller.tenantId, tried);
  }

  /**
   * The providers a call may try, one turn at a time, in priority order: enabled, serving the model,
   * with a key that opens (opened only when its turn comes), and let through by their shared health
   * (ProviderHealth); one skipped for its health is named with why in `tried`, and sent no request.
   * None when the tenant has used its maxTokensPerDay (read with its providers, in one round trip).
   */
  private async *turnsOf(
    caller: LlmCaller,
    request: ChatRequest,
    tried: string[],
  ): AsyncGenerator<Turn> {
    const [providers] = await Promise.all([
      this.providers.list(caller.tenantId),
      this.withinBudget(caller.tenantId),
    ]);
    const offered = providers.flatMap((provider) => {
      const model = modelFor(provider, request.model);
      return provider.enabled && model !== undefined ? [{ provider, model }] : [];
    });
    for (const [i, { provider, model }] of offered.entries()) {
      const languageModel = this.languageModelOf(caller.tenantId, provider, model);
      if (languageModel === undefined || !(await this.admitted(caller, provider, tried))) {
        continue;
      }
      yield {
        candidate: { provider, model, languageModel },
        timeout: AbortSignal.timeout(this.config.LLM_CALL_TIMEOUT_MS),
        next: offered[i + 1]?.provider.name ?? null,
      };
    }
  }

  /**
   * After a turn failed: rethrows what no other provider would answer better (the run's own cancel,
   * a request the provider refused as invalid), else records the failure in the provider's health
   * and says where the call goes next.
   */
  private async failOver(caller: LlmCaller, turn: Turn, error: unknown): Promise<void> {
    caller.signal.throwIfAborted();
    const failure = failureOf(error, turn.timeout.aborted);
    if (!failure) {
      throw error;
    }
    await this.recorded(caller, turn.candidate.provider, outcomeOf(failure));
    await caller.emit('agent.llm.failover', {
      from: turn.candidate.provider.name,
      to: turn.next,
      reason: failure.reason,
    });
  }

  /** Fails the call before any request when the tenant has used its maxTokensPerDay. */
  private async withinBudget(tenantId: TenantId): Promise<void> {
    const { day, used, limit } = await this.tokens.budget(tenantId);
    if (limit !== null && used >= limit) {
      throw new TokenBudgetExhaustedError(tenantId, used, limit, day);
    }
  }

  /** A provider answered: its health is good again, and the tokens count on the run and the day. */
  private async succeeded(
    caller: LlmCaller,
    { candidate }: Turn,
    content: string,
    counts: TokenCounts,
  ): Promise<ChatResult> {
    const result = resultOf(candidate, content, counts);
    const { provider, model, usage } = result;
    try {
      await Promise.all([
        this.recorded(caller, candidate.provider, { kind: 'success' }),
        this.tokens.record(caller.tenantId, caller.runId, { provider, model, ...usage }),
      ]);
    } catch (error) {
      // Redis failed, not the agent: the attempt is delivered again without spending one.
      throw new PlatformUnavailableError(error);
    }
    return result;
  }

  /**
   * The tokens of a stream that ended without its result. Never throws: the call's own ending (a
   * cancel, a broken reply) is what the agent must see, not a failed count of an estimate.
   */
  private async countUnfinished(
    caller: LlmCaller,
    { provider, model }: Candidate,
    counts: CountedTokens,
  ): Promise<void> {
    await this.tokens
      .record(caller.tenantId, caller.runId, { provider: provider.name, model, ...counts })
      .catch(() => undefined);
  }

  private async admitted(
    caller: LlmCaller,
    { name, updatedAt }: StoredProvider,
    tried: string[],
  ): Promise<boolean> {
    const admission = await this.health.admit(caller.tenantId, name, updatedAt);
    const usable = admission === 'ok' || admission === 'trial';
    tried.push(usable ? name : `${name} (${admission})`);
    return usable;
  }

  private async recorded(
    caller: LlmCaller,
    { name, updatedAt }: StoredProvider,
    outcome: CallOutcome,
  ): Promise<void> {
    await this.health.record(caller.tenantId, name, updatedAt, outcome);
  }

  /**
   * The AI SDK's model for a tenant's provider, built once per provider version (its record and
   * sealed key) and model and then reused: building one costs about 0.4 ms, a fifth of a call to a
   * nearby provider. Undefined when the key does not open.
   */
  private languageModelOf(
    tenantId: TenantId,
    provider: StoredProvider,
    model: string,
  ): LanguageModel | undefined {
    const { name, updatedAt, sealedKey } = provider;
    const cacheKey = JSON.stringify([tenantId, name, updatedAt, sealedKey, model]);
    const cached = this.models.get(cacheKey);
    if (cached !== undefined) {
      return cached;
    }
    const apiKey = this.keyOf(tenantId, provider);
    if (apiKey === undefined) {
      return undefined;
    }
    const built = buildLanguageModel(provider, apiKey, model);
    // A model name no provider uses is not kept: the cache's entries stay small.
    if (model.length <= MAX_CACHED_MODEL_NAME) {
      this.models.set(cacheKey, built);
    }
    return built;
  }

  private keyOf(tenantId: TenantId, provider: StoredProvider): string | undefined {
    try {
      return this.secrets.open(provider.sealedKey, providerKeyContext(tenantId, provider.name));
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

function buildLanguageModel(
  provider: StoredProvider,
  apiKey: string,
  model: string,
): LanguageModel {
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

/** The provider's figures where it gave them; else the prompt and the text so far, estimated. */
function estimatedCounts(request: ChatRequest, text: string, usage: TokenCounts): CountedTokens {
  const prompt = request.messages.reduce((chars, message) => chars + message.content.length, 0);
  return {
    inputTokens: usage.inputTokens ?? Math.ceil(prompt / CHARS_PER_TOKEN),
    outputTokens: usage.outputTokens ?? Math.ceil(text.length / CHARS_PER_TOKEN),
  };
}

function resultOf(candidate: Candidate, content: string, usage: TokenCounts): ChatResult {
  return {
    message: { role: 'assistant', content },
    usage: { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 },
    provider: candidate.provider.name,
    model: candidate.model,
  };
}
