import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { describeError } from '@bulkhead/errors';
import { AppLogger } from '@bulkhead/logging';
import { PlatformMetrics } from '@bulkhead/metrics';
import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { RunWorker } from './run-worker';

/**
 * A worker's metrics, on a small listener of its own: `GET /metrics` on METRICS_HOST:METRICS_PORT
 * (127.0.0.1 unless told otherwise; a worker holds no admin token), off when METRICS_PORT is 0.
 * It answers nothing else, and its slots busy and free are read on each scrape.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;

  constructor(
    private readonly metrics: PlatformMetrics,
    private readonly worker: RunWorker,
    private readonly logger: AppLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const size = this.config.WORKER_CONCURRENCY;
    this.metrics.gauge('bulkhead_worker_slots_free', 'Run slots free on this worker.', () =>
      Math.max(0, this.worker.freeSlots),
    );
    this.metrics.gauge('bulkhead_worker_slots_busy', 'Run slots busy on this worker.', () =>
      Math.max(0, size - this.worker.freeSlots),
    );
    if (this.config.METRICS_PORT === 0) {
      return;
    }
    const server = createServer((request, response) => void this.answer(request, response));
    server.listen(this.config.METRICS_PORT, this.config.METRICS_HOST);
    await once(server, 'listening');
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.logger.info('worker.metrics_listening', { host: this.config.METRICS_HOST, port });
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics here.\n');
      return;
    }
    try {
      const text = await this.metrics.text();
      response.writeHead(200, { 'content-type': this.metrics.contentType }).end(text);
    } catch (error) {
      this.logger.warn('worker.metrics_failed', { error: describeError(error) });
      response.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics failed.\n');
    }
  }
}
