import { OTHER_TENANTS, TenantLabels } from './tenant-labels';

describe(TenantLabels.name, () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, pass: (ms: number) => (now += ms) };
  };

  it('should give the first tenants their own label up to the limit, and the rest other', () => {
    const labels = new TenantLabels(2, () => {});

    const given = ['a', 'b', 'c', 'a', 'd'].map((tenant) => labels.labelFor(tenant));

    expect(given).toEqual(['a', 'b', OTHER_TENANTS, 'a', OTHER_TENANTS]);
  });

  it('should move the labels to the most active tenants at a review, and say who lost one', () => {
    const time = clock();
    const demoted: string[] = [];
    const labels = new TenantLabels(2, (tenant) => demoted.push(tenant), time.now);
    labels.labelFor('quiet-1');
    labels.labelFor('quiet-2');
    for (let i = 0; i < 5; i += 1) {
      labels.labelFor('busy');
    }

    time.pass(60_000);
    const afterReview = labels.labelFor('busy');

    expect(afterReview).toBe('busy');
    expect(demoted).toHaveLength(1);
    expect(['quiet-1', 'quiet-2']).toContain(demoted[0]);
    expect(labels.labelFor(demoted[0]!)).toBe(OTHER_TENANTS);
  });

  it('should never hold more than the limit of labels however many tenants come', () => {
    const time = clock();
    const labels = new TenantLabels(3, () => {}, time.now);
    for (let i = 0; i < 5_000; i += 1) {
      labels.labelFor(`t${i % 500}`);
      time.pass(100);
    }
    const current = new Set(Array.from({ length: 500 }, (_, i) => labels.labelFor(`t${i}`)));

    expect([...current].filter((label) => label !== OTHER_TENANTS).length).toBeLessThanOrEqual(3);
  });
});
