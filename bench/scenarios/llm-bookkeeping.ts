import 'reflect-metadata';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, parseConfig } from '@bulkhead/config';
import { TenantId } from '@bulkhead/context';
import { PlatformModule } from '@bulkhead/platform';
import { SecretBox, SecretsModule } from '@bulkhead/secrets';
import { ProviderCredentials, RunStore, newRunId, providerKeyContext } from '@bulkhead/store';
import { generateText } from 'ai';
import { FakeLlm } from '../../test/support/fake-llm';
import { ADMIN_TOKEN, SECRETS_KEY } from '../../test/support/platform';
import { AgentLlm, ChatRequest } from '../../packages/worker/src/llm/llm';
import { LlmGateway } from '../../packages/worker/src/llm/llm-gateway';
import { BenchRun, ScenarioResult, round } from '../support/report';
import { medianOf, percentile, repeat } from '../support/stats';

/** Calls per arm alternate in blocks this long, so both arms see the same machine and Redis. */
const BLOCK = 50;
const TARGET_P99_MS = 2;

interface Sample extends Record<string, number> {
  readonly directP50Ms: number;
  readonly directP99Ms: number;
  readonly gatewayP50Ms: number;
  readonly gatewayP99Ms: number;
}

const TENANT = 'bench-llm' as TenantId;
const PROVIDER = 'p1';
const MODEL = 'fake-model';
/** The fake answers at once to any key starting fake-ok. */
const API_KEY = 'fake-ok-bench';

/** ctx.llm's gateway as a worker process has it: the platform's store and the secrets, no queue. */
@Module({ imports: [PlatformModule, SecretsModule], providers: [LlmGateway] })
class GatewayBenchModule {
  static with(run: BenchRun): DynamicModule {
    const config = parseConfig({
      BULKHEAD_ADMIN_TOKEN: ADMIN_TOKEN,
      BULKHEAD_SECRETS_KEY: SECRETS_KEY,
      REDIS_URL: run.redisUrl,
      REDIS_KEY_PREFIX: run.prefix('llm'),
      LOG_LEVEL: 'warn',
    });
    return { module: GatewayBenchModule, imports: [ConfigModule.withConfig(config)] };
  }
}

/** The two arms: one run's ctx.llm, and the AI SDK calling the same provider with the same options. */
async function armsOf(
  context: INestApplicationContext,
  fake: FakeLlm,
): Promise<{ llm: AgentLlm; direct: () => Promise<unknown> }> {
  const secrets = context.get(SecretBox);
  await context.get(ProviderCredentials).put(TENANT, {
    name: PROVIDER,
    type: 'openai-compatible',
    baseUrl: fake.baseUrl,
    models: [MODEL],
    priority: 1,
    enabled: true,
    sealedKey: secrets.seal(API_KEY, providerKeyContext(TENANT, PROVIDER)),
    keyHint: '',
    updatedAt: new Date().toISOString(),
  });
  const runId = newRunId();
  await context.get(RunStore).submit(TENANT, { id: runId, agent: 'chat', input: {} });
  const llm = context.get(LlmGateway).forRun({
    tenantId: TENANT,
    runId,
    signal: new AbortController().signal,
    emit: () => Promise.resolve(),
  });
  const model = createOpenAICompatible({
    name: PROVIDER,
    baseURL: fake.baseUrl,
    apiKey: API_KEY,
    includeUsage: true,
  })(MODEL);
  const direct = () =>
    generateText({ model, messages: [{ role: 'user', content: 'hi' }], maxRetries: 0 });
  return { llm, direct };
}

/** Each call's duration in ms, one call after the other. */
async function timedCalls(call: () => Promise<unknown>, count: number): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = process.hrtime.bigint();
    await call();
    durations.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return durations;
}

/**
 * Scenario 8: what ctx.llm adds to one call (the tenant's providers, their shared health and the
 * day's token budget read before it; health and tokens recorded after it, all in Redis) against the
 * AI SDK calling the same zero-latency fake provider (its own process) directly, in one process,
 * alternating blocks of calls.
 */
export async function llmBookkeeping(run: BenchRun): Promise<ScenarioResult> {
  const calls = run.quick ? 300 : 2_000;
  const fake = await FakeLlm.start();
  const context = await NestFactory.createApplicationContext(GatewayBenchModule.with(run), {
    logger: false,
  });
  const samples: Sample[] = [];
  try {
    const { llm, direct } = await armsOf(context, fake);
    const request: ChatRequest = { messages: [{ role: 'user', content: 'hi' }] };
    // Warm both arms (connections, JIT) before anything counts.
    await timedCalls(() => llm.chat(request), BLOCK);
    await timedCalls(direct, BLOCK);
    await repeat(run.repetitions, async () => {
      const [gateway, plain] = [[] as number[], [] as number[]];
      for (let done = 0; done < calls; done += BLOCK) {
        plain.push(...(await timedCalls(direct, BLOCK)));
        gateway.push(...(await timedCalls(() => llm.chat(request), BLOCK)));
      }
      samples.push({
        directP50Ms: percentile(plain, 50),
        directP99Ms: percentile(plain, 99),
        gatewayP50Ms: percentile(gateway, 50),
        gatewayP99Ms: percentile(gateway, 99),
      });
    });
  } finally {
    await context.close();
    await fake.stop();
  }
  const median = medianOf(samples);
  const added = round(median.gatewayP99Ms - median.directP99Ms);
  return {
    scenario: '8. LLM call bookkeeping (ctx.llm vs the AI SDK directly)',
    method: `${calls} sequential chat calls per arm and repetition (median of ${run.repetitions}), alternating blocks of ${BLOCK}, against a zero-latency fake OpenAI-compatible provider in its own process: ctx.llm's gateway (providers, health, budget, health and token records in Redis) vs generateText with the same provider.`,
    rows: [
      {
        arm: 'AI SDK directly',
        p50Ms: round(median.directP50Ms),
        p99Ms: round(median.directP99Ms),
      },
      { arm: 'ctx.llm', p50Ms: round(median.gatewayP50Ms), p99Ms: round(median.gatewayP99Ms) },
      {
        arm: 'added by ctx.llm',
        p50Ms: round(median.gatewayP50Ms - median.directP50Ms),
        p99Ms: added,
      },
    ],
    targets: [
      {
        name: 'bookkeeping cost per call, p99',
        goal: `≤ ${TARGET_P99_MS} ms`,
        value: added,
        met: added <= TARGET_P99_MS,
      },
    ],
  };
}
