/**
 * Trace frame rows -> the DataFrame Grafana's trace view reads: one row per span, fields in the
 * order Tempo sends them, `preferredVisualisationType: 'trace'`, `traceFormat: 'otlp'` so the
 * inspector's "Download trace" exports OTLP.
 */
import { createDataFrame, type DataFrame, type DataLink, FieldType, type QueryResultMetaNotice, type TraceKeyValuePair, type TraceSpanRow } from '@grafana/data';

import type { Attributes, AttributeValue, LogicalSpan } from '../proto/model';
import { nanosToMillis } from '../proto/time';
import { attributesToKeyValues, eventToLog, frameDuration, frameKind, linkToReference, serviceNamespaceOf, spanWarnings, stackTracesOf } from './traceRows';

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

function frameOf(values: (name: RowKey) => unknown[], options: TraceFrameOptions): DataFrame {
  return createDataFrame({
    name: 'Trace',
    refId: options.refId,
    fields: FIELDS.map(({ name, type, unit }) => ({
      name,
      type,
      config: { ...(unit ? { unit } : {}), ...(name === 'spanID' && options.spanLinks?.length ? { links: options.spanLinks } : {}) },
      values: values(name),
    })),
    meta: {
      preferredVisualisationType: 'trace',
      custom: { traceFormat: 'otlp', ...options.custom },
      notices: options.notices && options.notices.length > 0 ? options.notices : undefined,
    },
  });
}

const sameValue = (a: AttributeValue, b: AttributeValue): boolean => a === b || (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));

function sameAttributes(a: Attributes, b: Attributes): boolean {
  let keys = 0;
  for (const key in a) {
    if (!(key in b) || !sameValue(a[key], b[key])) {
      return false;
    }
    keys++;
  }
  return keys === Object.keys(b).length;
}

/** Resources a service's spans share are told apart by content; this many per service are remembered. */
const RESOURCES_PER_SERVICE = 8;

/**
 * The service tags of each span, one array per distinct resource: every span of a process carries
 * the same resource, so its key/value list is built once and shared (the trace view only reads it).
 */
function serviceTagsOf(): (span: LogicalSpan) => TraceKeyValuePair[] {
  const known = new Map<string, Array<[Attributes, TraceKeyValuePair[]]>>();
  return (span) => {
    const resource = span.resourceAttributes;
    let seen = known.get(span.serviceName);
    if (!seen) {
      seen = [];
      known.set(span.serviceName, seen);
    }
    for (const [other, tags] of seen) {
      if (other === resource || sameAttributes(resource, other)) {
        return tags;
      }
    }
    const tags = attributesToKeyValues(resource);
    if (seen.length < RESOURCES_PER_SERVICE) {
      seen.push([resource, tags]);
    }
    return tags;
  };
}

/**
 * The trace frame, built column by column from the logical spans: each column holds what
 * `spanToFrameRow` gives for that field, without a row object per span in between, and with the
 * service tags of spans that share a resource built once.
 */
export function traceSpansToFrame(spans: LogicalSpan[], options: TraceFrameOptions = {}): DataFrame {
  const n = spans.length;
  const column = <T>() => new Array<T>(n);
  const columns = {
    traceID: column<string>(),
    spanID: column<string>(),
    parentSpanID: column<string | undefined>(),
    operationName: column<string>(),
    serviceName: column<string>(),
    serviceNamespace: column<string | undefined>(),
    kind: column<string>(),
    statusCode: column<number>(),
    statusMessage: column<string | undefined>(),
    instrumentationLibraryName: column<string | undefined>(),
    instrumentationLibraryVersion: column<string | undefined>(),
    traceState: column<string | undefined>(),
    serviceTags: column<TraceKeyValuePair[]>(),
    startTime: column<number>(),
    duration: column<number>(),
    logs: column<unknown>(),
    references: column<unknown>(),
    tags: column<TraceKeyValuePair[]>(),
    warnings: column<string[] | undefined>(),
    stackTraces: column<string[] | undefined>(),
  };
  const serviceTags = serviceTagsOf();
  for (let i = 0; i < n; i++) {
    const span = spans[i];
    columns.traceID[i] = span.traceId;
    columns.spanID[i] = span.spanId;
    columns.parentSpanID[i] = span.parentSpanId;
    columns.operationName[i] = span.name;
    columns.serviceName[i] = span.serviceName;
    columns.serviceNamespace[i] = serviceNamespaceOf(span);
    columns.kind[i] = frameKind(span);
    columns.statusCode[i] = span.statusCode;
    columns.statusMessage[i] = span.statusMessage;
    columns.instrumentationLibraryName[i] = span.scope?.name;
    columns.instrumentationLibraryVersion[i] = span.scope?.version;
    columns.traceState[i] = span.traceState;
    columns.serviceTags[i] = serviceTags(span);
    columns.startTime[i] = nanosToMillis(span.startTimeUnixNano);
    columns.duration[i] = frameDuration(span);
    columns.logs[i] = span.events.length > 0 ? span.events.map(eventToLog) : [];
    columns.references[i] = span.links.length > 0 ? span.links.map(linkToReference) : [];
    columns.tags[i] = attributesToKeyValues(span.attributes);
    columns.warnings[i] = spanWarnings(span);
    const stackTraces = span.events.length > 0 || 'exception.stacktrace' in span.attributes ? stackTracesOf(span) : undefined;
    columns.stackTraces[i] = stackTraces && stackTraces.length > 0 ? stackTraces : undefined;
  }
  const byName: Partial<Record<RowKey, unknown[]>> = columns;
  return frameOf((name) => byName[name] ?? [], options);
}
