import { EventBody } from './runs';

export interface Interval {
  readonly start: number;
  readonly end: number;
}

/**
 * When a run's agent was surely executing: from its first to its last agent event. Both are stamped by
 * the worker after the run's start was recorded and before its end was, so two runs whose windows
 * overlap were running at the same time whatever the clocks of the calls around them.
 */
export function agentWindow(events: EventBody[]): Interval {
  const stamps = events.filter((e) => e.type.startsWith('agent.')).map((e) => Date.parse(e.ts));
  if (stamps.length === 0) {
    throw new Error(`no agent events in ${events[0]?.runId ?? 'a run'}`);
  }
  return { start: Math.min(...stamps), end: Math.max(...stamps) };
}

/** The most intervals that held at one instant; an interval ending when another starts does not count. */
export function mostAtOnce(intervals: Interval[]): number {
  const edges = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let most = 0;
  for (const edge of edges) {
    current += edge.delta;
    most = Math.max(most, current);
  }
  return most;
}
