/**
 * Search results as Grafana frames: the traces table (which also plots, unchanged, as an XY
 * scatter of start against duration), scatter points per trace or per span, and the duration
 * distribution in log-scale buckets. Every trace id links to this data source's trace view.
 */
import { createDataFrame, type DataFrame, type DataLink, FieldType, type QueryResultMetaNotice } from '@grafana/data';

import type { LogicalSpan } from '../proto/model';
import { nanosToMillis } from '../proto/time';
import type { RankedTrace, TraceSummary } from '../query/search';

export interface LinkTarget {
  datasourceUid: string;
  datasourceName: string;
}

export interface FrameOptions {
  refId?: string;
  notices?: QueryResultMetaNotice[];
  custom?: Record<string, unknown>;
}

/** The internal link that opens a trace id in this data source's trace view. */
export function traceLink(target: LinkTarget): DataLink {
  return {
    title: 'Trace: ${__value.raw}',
    url: '',
    internal: { datasourceUid: target.datasourceUid, datasourceName: target.datasourceName, query: { query: '${__value.raw}', queryType: 'traceId' } },
  };
}

function meta(options: FrameOptions, preferred: 'table' | 'graph'): DataFrame['meta'] {
  return { preferredVisualisationType: preferred, notices: options.notices && options.notices.length > 0 ? options.notices : undefined, ...(options.custom ? { custom: options.custom } : {}) };
}

/** The traces table; a trace ranked but not yet summarised has its root span, errors and services empty. */
export function searchFrame(traces: RankedTrace[], target: LinkTarget, options: FrameOptions = {}): DataFrame {
  return createDataFrame({
    name: 'Traces',
    refId: options.refId,
    fields: [
      { name: 'traceID', type: FieldType.string, config: { displayName: 'Trace ID', links: [traceLink(target)] }, values: traces.map((t) => t.traceId) },
      { name: 'startTime', type: FieldType.time, config: { displayName: 'Start time' }, values: traces.map((t) => t.startMs) },
      { name: 'duration', type: FieldType.number, config: { displayName: 'Duration', unit: 'ms' }, values: traces.map((t) => t.durationMs) },
      { name: 'rootService', type: FieldType.string, config: { displayName: 'Root service' }, values: traces.map((t) => t.rootService ?? null) },
      { name: 'rootName', type: FieldType.string, config: { displayName: 'Root span' }, values: traces.map((t) => t.rootName ?? null) },
      { name: 'spans', type: FieldType.number, config: { displayName: 'Spans' }, values: traces.map((t) => t.spans) },
      { name: 'errors', type: FieldType.number, config: { displayName: 'Errors' }, values: traces.map((t) => t.errors ?? null) },
      { name: 'services', type: FieldType.string, config: { displayName: 'Services' }, values: traces.map((t) => t.services?.join(', ') ?? null) },
    ],
    meta: meta(options, 'table'),
  });
}

interface ScatterPoint {
  time: number;
  duration: number;
  error: boolean;
  service: string;
  name: string;
  traceID: string;
  spanID?: string;
}

function scatterFrame(points: ScatterPoint[], target: LinkTarget, options: FrameOptions, perSpan: boolean): DataFrame {
  return createDataFrame({
    name: perSpan ? 'Spans' : 'Traces',
    refId: options.refId,
    fields: [
      { name: 'time', type: FieldType.time, config: { displayName: 'Start time' }, values: points.map((p) => p.time) },
      { name: 'duration', type: FieldType.number, config: { displayName: 'Duration', unit: 'ms' }, values: points.map((p) => p.duration) },
      { name: 'error', type: FieldType.boolean, config: { displayName: 'Error' }, values: points.map((p) => p.error) },
      { name: 'service', type: FieldType.string, config: { displayName: perSpan ? 'Service' : 'Root service' }, values: points.map((p) => p.service) },
      { name: 'name', type: FieldType.string, config: { displayName: perSpan ? 'Span' : 'Root span' }, values: points.map((p) => p.name) },
      { name: 'traceID', type: FieldType.string, config: { displayName: 'Trace ID', links: [traceLink(target)] }, values: points.map((p) => p.traceID) },
      ...(perSpan ? [{ name: 'spanID', type: FieldType.string, config: { displayName: 'Span ID' }, values: points.map((p) => p.spanID) }] : []),
    ],
    meta: meta(options, 'graph'),
  });
}

/** One point per trace, oldest first so time-series panels draw left to right. */
export function traceScatterFrame(traces: TraceSummary[], target: LinkTarget, options: FrameOptions = {}): DataFrame {
  const points = traces.map((t) => ({ time: t.startMs, duration: t.durationMs, error: t.errors > 0, service: t.rootService, name: t.rootName, traceID: t.traceId }));
  return scatterFrame(points.sort((a, b) => a.time - b.time), target, options, false);
}

/** One point per matching span. */
export function spanScatterFrame(spans: LogicalSpan[], target: LinkTarget, options: FrameOptions = {}): DataFrame {
  const points = spans.map((span) => ({
    time: nanosToMillis(span.startTimeUnixNano),
    duration: nanosToMillis(span.durationNano ?? BigInt(0)),
    error: span.statusCode === 2,
    service: span.serviceName,
    name: span.name,
    traceID: span.traceId,
    spanID: span.spanId,
  }));
  return scatterFrame(points.sort((a, b) => a.time - b.time), target, options, true);
}

/** The smallest bucket edge: durations at or below a microsecond share the first bucket. */
const SMALLEST_MS = 2 ** -10;

export interface HistogramBucket {
  xMin: number;
  xMax: number;
  count: number;
}

/**
 * Durations in log2 buckets [2^k, 2^(k+1)) ms, contiguous from the smallest to the largest
 * duration so empty ranges show as gaps. Pure.
 */
export function logBuckets(durationsMs: number[]): HistogramBucket[] {
  if (durationsMs.length === 0) {
    return [];
  }
  const exponent = (ms: number) => (ms <= SMALLEST_MS ? Math.log2(SMALLEST_MS) - 1 : Math.floor(Math.log2(ms)));
  const exponents = durationsMs.map(exponent);
  const low = Math.min(...exponents);
  const high = Math.max(...exponents);
  const counts = new Array<number>(high - low + 1).fill(0);
  exponents.forEach((k) => counts[k - low]++);
  return counts.map((count, i) => {
    const k = low + i;
    return { xMin: k < Math.log2(SMALLEST_MS) ? 0 : 2 ** k, xMax: 2 ** (k + 1), count };
  });
}

/** The frame Grafana's histogram panel reads as pre-bucketed data (xMin, xMax, count). */
export function histogramFrame(durationsMs: number[], options: FrameOptions = {}): DataFrame {
  const buckets = logBuckets(durationsMs);
  return createDataFrame({
    name: 'Duration distribution',
    refId: options.refId,
    fields: [
      { name: 'xMin', type: FieldType.number, config: { unit: 'ms' }, values: buckets.map((b) => b.xMin) },
      { name: 'xMax', type: FieldType.number, config: { unit: 'ms' }, values: buckets.map((b) => b.xMax) },
      { name: 'count', type: FieldType.number, config: { displayName: 'Traces' }, values: buckets.map((b) => b.count) },
    ],
    meta: meta(options, 'graph'),
  });
}
