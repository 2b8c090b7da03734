import { ADMIN_TOKEN, PlatformProcess } from './platform';

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

  /** Makes this fake the tenant's provider `name` (model fake-model) with that key and priority. */
  async provideFor(
    url: string,
    tenantId: string,
    provider: { readonly name: string; readonly apiKey: string; readonly priority?: number },
  ): Promise<void> {
    const response = await fetch(`${url}/v1/admin/tenants/${tenantId}/providers/${provider.name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'openai-compatible',
        baseUrl: this.baseUrl,
        apiKey: provider.apiKey,
        models: ['fake-model'],
        priority: provider.priority ?? 1,
      }),
    });
    if (response.status !== 200) {
      throw new Error(`PUT provider ${provider.name}: ${response.status} ${await response.text()}`);
    }
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
