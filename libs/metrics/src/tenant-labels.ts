/** The label of every tenant outside the most active N. */
export const OTHER_TENANTS = 'other';
/** Tenants whose activity is tracked, per label given: beyond that, the least active is forgotten. */
const TRACKED_PER_LABEL = 10;
/** How often the most active tenants are chosen again. */
const REVIEW_EVERY_MS = 60_000;

/**
 * The `tenant` label of the metrics, with its cardinality capped: the `limit` most active tenants
 * (by what this process counted for them lately) keep their own label, the rest are `other`. While fewer
 * than `limit` hold a label, a new tenant gets one at once; every REVIEW_EVERY_MS the most active
 * are chosen again, and those that lose their label are handed to `onDemoted` (their series are
 * removed, so at most `limit` tenant values exist at once). Activity is tracked for at most
 * `limit × 10` tenants.
 */
export class TenantLabels {
  private readonly activity = new Map<string, number>();
  private readonly labelled = new Set<string>();
  private reviewedAt: number;

  constructor(
    private readonly limit: number,
    private readonly onDemoted: (tenantId: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.reviewedAt = now();
  }

  /** Counts one unit of the tenant's activity and answers the label to count it under. */
  labelFor(tenantId: string): string {
    this.note(tenantId);
    if (this.now() - this.reviewedAt >= REVIEW_EVERY_MS) {
      this.review();
    }
    if (!this.labelled.has(tenantId) && this.labelled.size < this.limit) {
      this.labelled.add(tenantId);
    }
    return this.labelled.has(tenantId) ? tenantId : OTHER_TENANTS;
  }

  /** Chooses the most active tenants again (what the timer does; tests call it directly). */
  review(): void {
    this.reviewedAt = this.now();
    const top = new Set(
      [...this.activity.entries()]
        .sort(([, a], [, b]) => b - a)
        .slice(0, this.limit)
        .map(([tenantId]) => tenantId),
    );
    for (const tenantId of [...this.labelled]) {
      if (!top.has(tenantId)) {
        this.labelled.delete(tenantId);
        this.onDemoted(tenantId);
      }
    }
    for (const tenantId of top) {
      this.labelled.add(tenantId);
    }
    // Halved at each review, so the choice follows what tenants do now, not what they once did.
    for (const [tenantId, count] of this.activity) {
      this.activity.set(tenantId, count / 2);
    }
  }

  private note(tenantId: string): void {
    const seen = this.activity.get(tenantId);
    if (seen !== undefined) {
      this.activity.set(tenantId, seen + 1);
      return;
    }
    if (this.activity.size >= this.limit * TRACKED_PER_LABEL) {
      this.forgetLeastActive();
    }
    this.activity.set(tenantId, 1);
  }

  private forgetLeastActive(): void {
    let least: [string, number] | undefined;
    for (const entry of this.activity) {
      if (!this.labelled.has(entry[0]) && (!least || entry[1] < least[1])) {
        least = entry;
      }
    }
    if (least) {
      this.activity.delete(least[0]);
    }
  }
}
