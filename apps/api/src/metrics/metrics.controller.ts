import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { PlatformMetrics } from '@bulkhead/metrics';
import type { FastifyReply } from 'fastify';
import { MetricsAccessGuard } from './metrics-access.guard';

/** This API process's metrics, in the Prometheus text format (docs/operations.md). */
@Controller()
@UseGuards(MetricsAccessGuard)
export class MetricsController {
  constructor(private readonly metrics: PlatformMetrics) {}

  @Get('metrics')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.contentType);
    return this.metrics.text();
  }
}
