/**
 * Log lines as Grafana's logs frame (timestamp, body, severity, id, labels, trace and span ids,
 * `preferredVisualisationType: 'logs'`), whose trace ids open this data source's trace view; and
 * the volume over time, one series per severity, as Grafana's logs volume panel reads it.
 */
import { createDataFrame, type DataFrame, DataFrameType, FieldType, LogsVolumeType, type QueryResultMetaNotice } from '@grafana/data';

import type { Attributes } from '../proto/model';
import { NS_PER_MS } from '../proto/time';
import type { LogLine, VolumeBucket } from '../query/logs';
import { type LinkTarget, traceLink } from './searchFrames';

export interface LogsFrameOptions {
  refId?: string;
  notices?: QueryResultMetaNotice[];
}

/** Labels Grafana shows and filters by: resource and log attributes as strings. */
function labelsOf(line: LogLine): Record<string, string> {
  const labels: Record<string, string> = {};
  const add = (attributes: Attributes) => {
    for (const [key, value] of Object.entries(attributes)) {
      labels[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  };
  add(line.resourceAttributes);
  add(line.attributes);
  return labels;
}

const bodyOf = (line: LogLine) => (line.body === undefined || line.body === null ? '' : typeof line.body === 'string' ? line.body : JSON.stringify(line.body));

export function logsFrame(lines: LogLine[], target: LinkTarget, options: LogsFrameOptions = {}): DataFrame {
  return createDataFrame({
    name: 'Logs',
    refId: options.refId,
    fields: [
      // Whole milliseconds with the rest in `nanos`, as Grafana's frames carry nanosecond times: the
      // log context finds the exact instant of a line from its row.
      { name: 'timestamp', type: FieldType.time, config: {}, values: lines.map((line) => Number(line.timeUnixNano / NS_PER_MS)), nanos: lines.map((line) => Number(line.timeUnixNano % NS_PER_MS)) },
      { name: 'body', type: FieldType.string, config: {}, values: lines.map(bodyOf) },
      { name: 'severity', type: FieldType.string, config: {}, values: lines.map((line) => line.severityText ?? '') },
      { name: 'id', type: FieldType.string, config: {}, values: lines.map((line) => `${line.index}/${line.id}`) },
      { name: 'labels', type: FieldType.other, config: {}, values: lines.map(labelsOf) },
      { name: 'traceID', type: FieldType.string, config: { displayName: 'Trace ID', links: [traceLink(target)] }, values: lines.map((line) => line.traceId ?? '') },
      { name: 'spanID', type: FieldType.string, config: { displayName: 'Span ID' }, values: lines.map((line) => line.spanId ?? '') },
    ],
    meta: {
      type: DataFrameType.LogLines,
      preferredVisualisationType: 'logs',
      notices: options.notices && options.notices.length > 0 ? options.notices : undefined,
    },
  });
}

/** One time series per severity (lower-case level label), counts per bucket, zero where none. */
export function logsVolumeFrames(buckets: VolumeBucket[], options: LogsFrameOptions & { fromMs: number; toMs: number }): DataFrame[] {
  const levels = [...new Set(buckets.flatMap((bucket) => Object.keys(bucket.counts)))].sort();
  return levels.map((level) =>
    createDataFrame({
      name: level,
      refId: options.refId,
      fields: [
        { name: 'Time', type: FieldType.time, config: {}, values: buckets.map((bucket) => bucket.timeMs) },
        { name: 'Value', type: FieldType.number, config: { displayNameFromDS: level }, labels: { level: level.toLowerCase() }, values: buckets.map((bucket) => bucket.counts[level] ?? 0) },
      ],
      meta: {
        type: DataFrameType.TimeSeriesMulti,
        notices: options.notices && options.notices.length > 0 ? options.notices : undefined,
        custom: { logsVolumeType: LogsVolumeType.FullRange, absoluteRange: { from: options.fromMs, to: options.toMs } },
      },
    })
  );
}
