/**
 * Self time, as the node graph and the trace statistics show it: a span's duration less the union
 * of its children's time inside it, so children that overlap, or run on after their parent
 * (asynchronous work), never make it negative. Pure, and free of Grafana's packages, so the command
 * line loads it without them.
 */

/** Time covered by the union of the ranges, each clipped to [from, to], in their unit (the node graph's is ms). */
export function coveredMs(ranges: Array<[number, number]>, from: number, to: number): number {
  const clipped = ranges
    .map(([start, end]): [number, number] => [Math.max(start, from), Math.min(end, to)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = -Infinity;
  for (const [start, end] of clipped) {
    if (end > reach) {
      covered += end - Math.max(start, reach);
      reach = end;
    }
  }
  return covered;
}

/** A span's place in the tree and in time, in any one unit: the node graph's rows are in ms. */
export interface TimedSpan {
  spanID: string;
  parentSpanID?: string;
  startTime: number;
  duration: number;
}

/**
 * Each span's self time, in the order given and the unit of its times: its duration less the union
 * of its children's intervals clipped to it. A child is a span whose parent id is in the list;
 * overlapping children count once, time a child spends outside its parent not at all, so the
 * result is never negative. O(n log n) overall: each span's children are sorted once.
 */
export function selfTimes(spans: TimedSpan[]): number[] {
  const ids = new Set(spans.map((span) => span.spanID));
  const children = new Map<string, Array<[number, number]>>();
  for (const span of spans) {
    if (span.parentSpanID && ids.has(span.parentSpanID)) {
      const range: [number, number] = [span.startTime, span.startTime + span.duration];
      const siblings = children.get(span.parentSpanID);
      siblings ? siblings.push(range) : children.set(span.parentSpanID, [range]);
    }
  }
  return spans.map((span) => Math.max(0, span.duration - coveredMs(children.get(span.spanID) ?? [], span.startTime, span.startTime + span.duration)));
}
