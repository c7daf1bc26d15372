/**
 * The two node graph frames Grafana's Jaeger and Tempo data sources return beside a trace: a node
 * per span (service, operation, total and self time) and an edge from each parent to its child.
 * Self time (selfTimes, shared with the trace statistics) is the span's duration less the union of
 * its children's time inside it, so children that overlap, or run on after their parent
 * (asynchronous work), never make it negative. Pure.
 */
import { createDataFrame, type DataFrame, FieldType, NodeGraphDataFrameFieldNames as Fields, type TraceSpanRow } from '@grafana/data';

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

/** As Grafana writes stats: at most two decimals, no trailing zeros. */
const fixed = (value: number) => String(parseFloat(value.toFixed(2)));
const share = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);

export function traceNodeGraphFrames(rows: TraceSpanRow[], refId?: string): [DataFrame, DataFrame] {
  // Loops, not Math.min(...): a trace of 100,000 spans would overflow the argument list.
  let start = Infinity;
  let end = -Infinity;
  for (const row of rows) {
    start = Math.min(start, row.startTime);
    end = Math.max(end, row.startTime + row.duration);
  }
  const traceMs = rows.length > 0 ? Math.max(0, end - start) : 0;
  const byId = new Map(rows.map((row) => [row.spanID, row]));
  const selfMsOf = selfTimes(rows);
  const nodes = { id: [] as string[], title: [] as string[], subtitle: [] as string[], main: [] as string[], secondary: [] as string[], color: [] as number[], self: [] as number[], rest: [] as number[] };
  const edges = { id: [] as string[], source: [] as string[], target: [] as string[], main: [] as string[], secondary: [] as string[] };
  rows.forEach((row, i) => {
    const selfMs = selfMsOf[i];
    const selfShare = row.duration > 0 ? selfMs / row.duration : 1;
    nodes.id.push(row.spanID);
    nodes.title.push(row.serviceName);
    nodes.subtitle.push(row.operationName);
    nodes.main.push(`${fixed(row.duration)}ms (${fixed(share(row.duration, traceMs))}%)`);
    nodes.secondary.push(`${fixed(selfMs)}ms (${fixed(share(selfMs, row.duration))}%)`);
    nodes.color.push(traceMs > 0 ? selfMs / traceMs : 0);
    nodes.self.push(selfShare);
    nodes.rest.push(1 - selfShare);
    const parent = row.parentSpanID ? byId.get(row.parentSpanID) : undefined;
    if (parent) {
      edges.id.push(`${parent.spanID}--${row.spanID}`);
      edges.source.push(parent.spanID);
      edges.target.push(row.spanID);
      edges.main.push(`${fixed(row.duration)}ms`);
      edges.secondary.push(`${fixed(share(row.duration, parent.duration))}% of the caller`);
    }
  });
  const meta = { preferredVisualisationType: 'nodeGraph' as const };
  const nodesFrame = createDataFrame({
    name: 'Nodes',
    refId,
    meta,
    fields: [
      { name: Fields.id, type: FieldType.string, values: nodes.id },
      { name: Fields.title, type: FieldType.string, values: nodes.title, config: { displayName: 'Service' } },
      { name: Fields.subTitle, type: FieldType.string, values: nodes.subtitle, config: { displayName: 'Operation' } },
      { name: Fields.mainStat, type: FieldType.string, values: nodes.main, config: { displayName: 'Total time (% of trace)' } },
      { name: Fields.secondaryStat, type: FieldType.string, values: nodes.secondary, config: { displayName: 'Self time (% of total)' } },
      { name: Fields.color, type: FieldType.number, values: nodes.color, config: { color: { mode: 'continuous-GrYlRd' }, displayName: 'Self time / Trace duration' } },
      { name: `${Fields.arc}self`, type: FieldType.number, values: nodes.self, config: { color: { mode: 'fixed', fixedColor: 'orange' }, displayName: 'Self time' } },
      { name: `${Fields.arc}children`, type: FieldType.number, values: nodes.rest, config: { color: { mode: 'fixed', fixedColor: 'blue' }, displayName: 'Time in children' } },
    ],
  });
  const edgesFrame = createDataFrame({
    name: 'Edges',
    refId,
    meta,
    fields: [
      { name: Fields.id, type: FieldType.string, values: edges.id },
      { name: Fields.source, type: FieldType.string, values: edges.source },
      { name: Fields.target, type: FieldType.string, values: edges.target },
      { name: Fields.mainStat, type: FieldType.string, values: edges.main, config: { displayName: 'Callee time' } },
      { name: Fields.secondaryStat, type: FieldType.string, values: edges.secondary, config: { displayName: 'Share of the caller' } },
    ],
  });
  return [nodesFrame, edgesFrame];
}
