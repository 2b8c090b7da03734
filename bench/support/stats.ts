export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Median of each numeric field over repetitions of the same measurement. */
export function medianOf<T extends Record<string, number>>(samples: T[]): T {
  const first = samples[0];
  if (!first) {
    throw new Error('no samples');
  }
  const result: Record<string, number> = {};
  for (const field of Object.keys(first)) {
    result[field] = median(samples.map((s) => s[field] ?? 0));
  }
  return result as T;
}

/** Runs `measure` `times` times, one after the other. */
export async function repeat<T>(times: number, measure: (rep: number) => Promise<T>): Promise<T[]> {
  const samples: T[] = [];
  for (let rep = 0; rep < times; rep += 1) {
    samples.push(await measure(rep));
  }
  return samples;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inLanes<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}
