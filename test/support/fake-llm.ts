import { PlatformProcess } from './platform';

/** The fake OpenAI-compatible provider (fake-llm-provider.ts) as its own process, for one file. */
export class FakeLlm {
  private constructor(
    private readonly process: PlatformProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeLlm> {
    const process = PlatformProcess.launch('fake-llm', 'test/support/fake-llm-provider.js', [], {
      PATH: globalThis.process.env.PATH,
    });
    const listening = await process.waitFor('fake-llm.listening');
    return new FakeLlm(process, Number(listening.port));
  }

  /** The base URL a provider of type openai-compatible is given. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Requests each key made, and how many of them the caller aborted. */
  async calls(): Promise<Record<string, { requests: number; aborted: number }>> {
    const response = await fetch(`http://127.0.0.1:${this.port}/calls`);
    return (await response.json()) as Record<string, { requests: number; aborted: number }>;
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
