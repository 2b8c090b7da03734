import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { TenantLabels } from './tenant-labels';

/** What a process reports on every scrape, read when it is scraped (sockets, streams, …). */
export type GaugeReading = () => number;

/**
 * This process's metrics in the Prometheus text format (docs/operations.md lists every series).
 * One registry per process, never prom-client's global one; series with a `tenant` label go
 * through TenantLabels, so their cardinality is capped at METRICS_TENANT_LABELS tenants plus
 * `other`, and a tenant that loses its label has its series removed.
 */
@Injectable()
export class PlatformMetrics {
  readonly registry = new Registry();
  private readonly labels: TenantLabels;
  private readonly runsSubmitted: Counter<'tenant' | 'agent'>;
  private readonly runsRejected: Counter<'tenant' | 'reason'>;
  private readonly runsStarted: Counter<'tenant' | 'agent'>;
  private readonly runsFinished: Counter<'tenant' | 'agent' | 'status'>;
  private readonly runDuration: Histogram<'agent' | 'status'>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    collectDefaultMetrics({ register: this.registry, prefix: 'bulkhead_' });
    this.labels = new TenantLabels(config.METRICS_TENANT_LABELS, (tenantId) =>
      this.forget(tenantId),
    );
    this.runsSubmitted = new Counter({
      name: 'bulkhead_runs_submitted_total',
      help: 'Runs accepted (202) by this API process, by tenant and agent.',
      labelNames: ['tenant', 'agent'],
      registers: [this.registry],
    });
    this.runsRejected = new Counter({
      name: 'bulkhead_runs_rejected_total',
      help: 'Runs refused by a tenant limit on this API process, by tenant and the limit (its error code).',
      labelNames: ['tenant', 'reason'],
      registers: [this.registry],
    });
    this.runsStarted = new Counter({
      name: 'bulkhead_runs_started_total',
      help: 'Run attempts this worker process started, by tenant and agent.',
      labelNames: ['tenant', 'agent'],
      registers: [this.registry],
    });
    this.runsFinished = new Counter({
      name: 'bulkhead_runs_finished_total',
      help: 'Runs this worker process ended, by tenant, agent and final status.',
      labelNames: ['tenant', 'agent', 'status'],
      registers: [this.registry],
    });
    this.runDuration = new Histogram({
      name: 'bulkhead_run_attempt_duration_seconds',
      help: "How long a run's last attempt ran on this worker process, by agent and final status.",
      labelNames: ['agent', 'status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers: [this.registry],
    });
  }

  runSubmitted(tenantId: string, agent: string): void {
    this.runsSubmitted.inc({ tenant: this.labels.labelFor(tenantId), agent });
  }

  runRejected(tenantId: string, reason: string): void {
    this.runsRejected.inc({ tenant: this.labels.labelFor(tenantId), reason });
  }

  runStarted(tenantId: string, agent: string): void {
    this.runsStarted.inc({ tenant: this.labels.labelFor(tenantId), agent });
  }

  runFinished(tenantId: string, agent: string, status: string, seconds: number): void {
    this.runsFinished.inc({ tenant: this.labels.labelFor(tenantId), agent, status });
    this.runDuration.observe({ agent, status }, seconds);
  }

  /** A gauge read on each scrape. */
  gauge(name: string, help: string, read: GaugeReading): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** The text a scrape answers. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private forget(tenantId: string): void {
    const labelled = [this.runsSubmitted, this.runsRejected, this.runsStarted, this.runsFinished];
    for (const metric of labelled) {
      void forgetTenant(metric, tenantId);
    }
  }
}

async function forgetTenant(metric: Counter<string>, tenantId: string): Promise<void> {
  const { values } = await metric.get();
  for (const { labels } of values) {
    if (labels.tenant === tenantId) {
      metric.remove(labels as Record<string, string>);
    }
  }
}
