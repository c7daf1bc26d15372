/**
 * The two node graph frames Grafana's Jaeger and Tempo data sources return beside a trace: a node
 * per span (service, operation, total and self time) and an edge from each parent to its child.
 * Self time (proto/selfTime, shared with the trace statistics) is the span's duration less the union of
 * its children's time inside it, so children that overlap, or run on after their parent
 * (asynchronous work), never make it negative. Pure.
 */
import { createDataFrame, type DataFrame, FieldType, NodeGraphDataFrameFieldNames as Fields, type TraceSpanRow } from '@grafana/data';

import type { LogicalSpan } from '../proto/model';
import { selfTimes } from '../proto/selfTime';
import { nanosToMillis } from '../proto/time';
import { frameDuration } from './traceRows';

/** What the node graph reads of a span, as the trace frame has it (milliseconds). */
export type GraphSpan = Pick<TraceSpanRow, 'spanID' | 'parentSpanID' | 'serviceName' | 'operationName' | 'startTime' | 'duration'>;

/** Logical spans as the node graph reads them, without building whole trace rows. */
export function graphSpans(spans: LogicalSpan[]): GraphSpan[] {
  return spans.map((span) => ({ spanID: span.spanId, parentSpanID: span.parentSpanId, serviceName: span.serviceName, operationName: span.name, startTime: nanosToMillis(span.startTimeUnixNano), duration: frameDuration(span) }));
}

/** As Grafana writes stats: at most two decimals, no trailing zeros. */
const fixed = (value: number) => String(parseFloat(value.toFixed(2)));
const share = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);

export function traceNodeGraphFrames(rows: GraphSpan[], refId?: string): [DataFrame, DataFrame] {
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
