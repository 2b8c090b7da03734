import { Global, Module } from '@nestjs/common';
import { PlatformMetrics } from './metrics';

/** The process's metrics, one registry for every module of it. */
@Global()
@Module({ providers: [PlatformMetrics], exports: [PlatformMetrics] })
export class MetricsModule {}
