/**
 * Trace frame rows -> the DataFrame Grafana's trace view reads: one row per span, fields in the
 * order Tempo sends them, `preferredVisualisationType: 'trace'`, `traceFormat: 'otlp'` so the
 * inspector's "Download trace" exports OTLP.
 */
import { createDataFrame, type DataFrame, type DataLink, FieldType, type QueryResultMetaNotice, type TraceSpanRow } from '@grafana/data';

type RowKey = keyof TraceSpanRow;

const FIELDS: Array<{ name: RowKey; type: FieldType; unit?: string }> = [
  { name: 'traceID', type: FieldType.string },
  { name: 'spanID', type: FieldType.string },
  { name: 'parentSpanID', type: FieldType.string },
  { name: 'operationName', type: FieldType.string },
  { name: 'serviceName', type: FieldType.string },
  { name: 'serviceNamespace', type: FieldType.string },
  { name: 'kind', type: FieldType.string },
  { name: 'statusCode', type: FieldType.number },
  { name: 'statusMessage', type: FieldType.string },
  { name: 'instrumentationLibraryName', type: FieldType.string },
  { name: 'instrumentationLibraryVersion', type: FieldType.string },
  { name: 'traceState', type: FieldType.string },
  { name: 'serviceTags', type: FieldType.other },
  { name: 'startTime', type: FieldType.number, unit: 'ms' },
  { name: 'duration', type: FieldType.number, unit: 'ms' },
  { name: 'logs', type: FieldType.other },
  { name: 'references', type: FieldType.other },
  { name: 'tags', type: FieldType.other },
  { name: 'warnings', type: FieldType.other },
  { name: 'stackTraces', type: FieldType.other },
];

export interface TraceFrameOptions {
  refId?: string;
  /** Links on every span (the trace view interpolates `${__span.spanId}` and friends). */
  spanLinks?: DataLink[];
  notices?: QueryResultMetaNotice[];
  custom?: Record<string, unknown>;
}

export function traceRowsToFrame(rows: TraceSpanRow[], options: TraceFrameOptions = {}): DataFrame {
  return createDataFrame({
    name: 'Trace',
    refId: options.refId,
    fields: FIELDS.map(({ name, type, unit }) => ({
      name,
      type,
      config: { ...(unit ? { unit } : {}), ...(name === 'spanID' && options.spanLinks?.length ? { links: options.spanLinks } : {}) },
      values: rows.map((row) => row[name]),
    })),
    meta: {
      preferredVisualisationType: 'trace',
      custom: { traceFormat: 'otlp', ...options.custom },
      notices: options.notices && options.notices.length > 0 ? options.notices : undefined,
    },
  });
}
