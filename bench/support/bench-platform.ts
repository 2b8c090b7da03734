import { BenchProcess } from './bench-process';

export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

export interface PlatformShape {
  readonly apis?: number;
  readonly workers?: number;
  readonly env?: Record<string, string>;
}

/** The built platform as in production: API and worker processes on one Redis, under one key prefix. */
export class BenchPlatform {
  private constructor(
    readonly apis: BenchProcess[],
    readonly workers: BenchProcess[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(
    redisUrl: string,
    prefix: string,
    shape: PlatformShape,
  ): Promise<BenchPlatform> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      PORT: '0',
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      BULKHEAD_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      BULKHEAD_DIAGNOSTICS_IPC: 'true',
      // The scenarios measure throughput with one tenant or a few: each may use the whole fleet.
      TENANT_MAX_FLEET_SHARE: '1',
      // One watcher socket follows every run a scenario submits, thousands a minute, and the memory
      // scenario holds a thousand idle sockets on one key.
      SOCKET_SUBSCRIBES_PER_MINUTE: '1000000',
      SOCKET_MAX_PER_KEY: '100000',
      SOCKET_MAX_PER_TENANT: '100000',
      ...shape.env,
    };
    const platform = new BenchPlatform([], [], env);
    await Promise.all([
      ...Array.from({ length: shape.workers ?? 1 }, () => platform.addWorker()),
      ...Array.from({ length: shape.apis ?? 1 }, () => platform.addApi()),
    ]);
    return platform;
  }

  async addWorker(): Promise<BenchProcess> {
    const worker = await BenchProcess.start(
      'apps/worker/src/main.js',
      [],
      this.env,
      'worker.ready',
    );
    this.workers.push(worker);
    return worker;
  }

  async addApi(): Promise<BenchProcess> {
    const api = await BenchProcess.start('apps/api/src/main.js', [], this.env, 'api.listening');
    this.apis.push(api);
    return api;
  }

  url(index = 0): string {
    return `http://127.0.0.1:${this.apis[index]?.port ?? 0}`;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apis, ...this.workers].map((p) => p.stop()));
  }
}
