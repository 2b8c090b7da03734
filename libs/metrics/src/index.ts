export { GaugeReading, PlatformMetrics } from './metrics';
export { MetricsModule } from './metrics.module';
export { OTHER_TENANTS, TenantLabels } from './tenant-labels';
