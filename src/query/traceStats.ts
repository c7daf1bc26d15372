/**
 * Statistics of one trace, as Jaeger UI's "Trace Statistics" view has them: the spans grouped by
 * service and operation, by service, or by the value of one attribute, and per group the span
 * count, the total, average, least and most duration, the same four of self time, and the group's
 * self time as a share of the trace's duration. Computed from the trace rows runTraceQuery
 * returns (the assembled trace: duplicates merged, cycles broken). Pure.
 *
 * Self time is the node graph's (selfTimes): a span's duration less the union of its children's
 * intervals clipped to it, so it is never negative and children running in parallel are not
 * subtracted twice. Jaeger UI computes it the same way (compute-span-self-time.ts).
 *
 * Where this differs from Jaeger UI, and why:
 * - Grouping by service and operation (the default here) gives one flat row per service and
 *   operation, with no service row above its operations as Jaeger UI draws them: a Grafana table
 *   sorts rows by any column, which would part service rows from their operations, and its column
 *   totals would count every span twice. Grouping by service gives the service rows.
 * - Rows are sorted by total self time, the greatest first (where the trace's time went); Jaeger UI
 *   sorts by span count. Ties go by total duration, then by the group's name.
 * - Durations keep microseconds; Jaeger UI rounds to hundredths of a millisecond.
 * - An attribute is a span attribute, else a resource attribute of that key (as the search filters
 *   and the metrics grouping read it); Jaeger UI reads span attributes only. Spans without it form
 *   one group whose value is null (Jaeger UI's "Without Tag: KEY"), so no value can be mistaken
 *   for it. An empty value is a value of its own: Jaeger UI counts it as missing, and leaves out
 *   spans with an empty service or operation name altogether; here every span is counted once.
 * - The share of a trace that lasts no time at all is null, not Jaeger UI's NaN or Infinity.
 * The share itself is Jaeger UI's: the group's self time over the trace's duration (its column's
 * tooltip says "vs. Total" but it divides by the trace). The shares of all groups add up to 100 %
 * when the root spans the trace and no two spans run at once; spans running in parallel each have
 * their own self time, which takes the sum above 100 %, and moments when no span runs (several
 * roots with gaps between them) keep it below.
 */
import type { TraceKeyValuePair, TraceSpanRow } from '@grafana/data';

import { selfTimes } from '../proto/selfTime';
import { type MetricsGroupBy, parseGroupBy } from './metrics';

/** `operation` (each service's operations, the default), `service`, or `attribute:KEY`. */
export type TraceStatsGroupBy = MetricsGroupBy;

export interface TraceStatsRow {
  /** The service of the group's spans, when grouped by service and operation or by service. */
  service?: string;
  /** The span name, when grouped by service and operation. */
  operation?: string;
  /** Grouped by an attribute: its value as text, or null for the group of spans without it. */
  value?: string | null;
  spans: number;
  totalMs: number;
  avgMs: number;
  minMs: number;
  maxMs: number;
  selfTotalMs: number;
  selfAvgMs: number;
  selfMinMs: number;
  selfMaxMs: number;
  /** selfTotalMs as a percentage of the trace's duration; null when the trace lasts no time. */
  selfPercent: number | null;
}

export interface TraceStats {
  groupBy: TraceStatsGroupBy;
  /** From the first span's start to the last span's end. */
  traceDurationMs: number;
  spanCount: number;
  /** Sorted by selfTotalMs, the greatest first. */
  rows: TraceStatsRow[];
  warnings: string[];
}

/** The query's or the command line's group-by text; blank is service and operation. */
export function parseTraceStatsGroupBy(text: string | undefined): TraceStatsGroupBy {
  return parseGroupBy(text) ?? 'operation';
}

/** The attribute key of an attribute grouping, else undefined. */
export function groupByAttribute(groupBy: TraceStatsGroupBy): string | undefined {
  return groupBy.startsWith('attribute:') ? groupBy.slice('attribute:'.length) : undefined;
}

/**
 * Whole microseconds. Trace rows carry float milliseconds whose error (a quarter of a microsecond
 * at today's epoch) would pile up over sums of thousands of spans; integers of microseconds add up
 * exactly, and no stored duration is finer than the microsecond except OTLP's nanoseconds.
 */
const toMicros = (ms: number) => Math.round(ms * 1000);
const toMs = (micros: number) => micros / 1000;

function valueText(pair: TraceKeyValuePair | undefined): string | null {
  const value: unknown = pair?.value;
  if (value === undefined || value === null) {
    return null;
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A span attribute, else a resource attribute of that key, as text; null where neither is. */
function attributeText(row: TraceSpanRow, key: string): string | null {
  const own = valueText(row.tags?.find((pair) => pair.key === key));
  return own !== null ? own : valueText(row.serviceTags.find((pair) => pair.key === key));
}

interface Accumulator {
  labels: Pick<TraceStatsRow, 'service' | 'operation' | 'value'>;
  spans: number;
  totalUs: number;
  minUs: number;
  maxUs: number;
  selfTotalUs: number;
  selfMinUs: number;
  selfMaxUs: number;
}

/** Values are keyed with a leading '=', so no value shares the key of the spans without one. */
const NO_VALUE_KEY = 'none';

/** The group a span counts in: its key in the map of groups, and its labels. */
function groupOf(row: TraceSpanRow, groupBy: TraceStatsGroupBy, attribute: string | undefined): { key: string; labels: Accumulator['labels'] } {
  if (attribute !== undefined) {
    const value = attributeText(row, attribute);
    return { key: value === null ? NO_VALUE_KEY : `=${value}`, labels: { value } };
  }
  if (groupBy === 'service') {
    return { key: row.serviceName, labels: { service: row.serviceName } };
  }
  return { key: `${row.serviceName}\u0000${row.operationName}`, labels: { service: row.serviceName, operation: row.operationName } };
}

function toRow(group: Accumulator, traceUs: number): TraceStatsRow {
  return {
    ...group.labels,
    spans: group.spans,
    totalMs: toMs(group.totalUs),
    avgMs: toMs(Math.round(group.totalUs / group.spans)),
    minMs: toMs(group.minUs),
    maxMs: toMs(group.maxUs),
    selfTotalMs: toMs(group.selfTotalUs),
    selfAvgMs: toMs(Math.round(group.selfTotalUs / group.spans)),
    selfMinMs: toMs(group.selfMinUs),
    selfMaxMs: toMs(group.selfMaxUs),
    // Multiplied first: integers times 100 are exact, so 30 % is 30, not 0.3 * 100.
    selfPercent: traceUs > 0 ? (group.selfTotalUs * 100) / traceUs : null,
  };
}

/** By code unit, not locale: the same order on every machine. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Names in order, the group without the attribute last. */
function compareLabels(a: TraceStatsRow, b: TraceStatsRow): number {
  if (a.value === null || b.value === null) {
    return a.value === b.value ? 0 : a.value === null ? 1 : -1;
  }
  return compareText(a.service ?? '', b.service ?? '') || compareText(a.operation ?? '', b.operation ?? '') || compareText(a.value ?? '', b.value ?? '');
}

export function traceStats(rows: TraceSpanRow[], groupBy: TraceStatsGroupBy = 'operation'): TraceStats {
  const attribute = groupByAttribute(groupBy);
  const timed = rows.map((row) => ({ spanID: row.spanID, parentSpanID: row.parentSpanID, startTime: toMicros(row.startTime), duration: toMicros(row.duration) }));
  const selfUs = selfTimes(timed);
  // Loops, not Math.min(...): a trace of 100,000 spans would overflow the argument list.
  let startUs = Infinity;
  let endUs = -Infinity;
  const groups = new Map<string, Accumulator>();
  rows.forEach((row, i) => {
    const { startTime, duration } = timed[i];
    startUs = Math.min(startUs, startTime);
    endUs = Math.max(endUs, startTime + duration);
    const { key, labels } = groupOf(row, groupBy, attribute);
    const self = selfUs[i];
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { labels, spans: 1, totalUs: duration, minUs: duration, maxUs: duration, selfTotalUs: self, selfMinUs: self, selfMaxUs: self });
      return;
    }
    group.spans += 1;
    group.totalUs += duration;
    group.minUs = Math.min(group.minUs, duration);
    group.maxUs = Math.max(group.maxUs, duration);
    group.selfTotalUs += self;
    group.selfMinUs = Math.min(group.selfMinUs, self);
    group.selfMaxUs = Math.max(group.selfMaxUs, self);
  });
  const traceUs = rows.length > 0 ? endUs - startUs : 0;
  const statsRows = [...groups.values()].map((group) => toRow(group, traceUs));
  statsRows.sort((a, b) => b.selfTotalMs - a.selfTotalMs || b.totalMs - a.totalMs || compareLabels(a, b));
  const warnings: string[] = [];
  if (attribute !== undefined && rows.length > 0 && groups.size === 1 && groups.has(NO_VALUE_KEY)) {
    warnings.push(`no span of this trace has a span or resource attribute '${attribute}': all ${rows.length} spans are in the group without it`);
  }
  return { groupBy, traceDurationMs: toMs(traceUs), spanCount: rows.length, rows: statsRows, warnings };
}
