/**
 * OTLP/JSON export requests (what collectors and SDKs send, and what `estraces ingest` reads)
 * converted to logical spans and log records. One short function per concept.
 */
import { normaliseSpanId, normaliseTraceId } from './ids';
import { type Attributes, type AttributeValue, type InstrumentationScope, type LogicalLogRecord, type LogicalSpan, type SpanEvent, type SpanKind, type SpanLink, type StatusCode, UNKNOWN_SERVICE } from './model';
import { parseNanos } from './time';

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpResource {
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
}
interface OtlpScope {
  name?: string;
  version?: string;
  attributes?: OtlpKeyValue[];
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind?: number | string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events?: Array<{ timeUnixNano: string | number; name: string; attributes?: OtlpKeyValue[]; droppedAttributesCount?: number }>;
  droppedEventsCount?: number;
  links?: Array<{ traceId: string; spanId: string; traceState?: string; attributes?: OtlpKeyValue[]; droppedAttributesCount?: number }>;
  droppedLinksCount?: number;
  status?: { code?: number | string; message?: string };
}
export interface OtlpTraceRequest {
  resourceSpans: Array<{ resource?: OtlpResource; schemaUrl?: string; scopeSpans?: Array<{ scope?: OtlpScope; schemaUrl?: string; spans?: OtlpSpan[] }> }>;
}
export interface OtlpLogRecord {
  timeUnixNano?: string | number;
  observedTimeUnixNano?: string | number;
  severityNumber?: number | string;
  severityText?: string;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  eventName?: string;
  traceId?: string;
  spanId?: string;
}
export interface OtlpLogsRequest {
  resourceLogs: Array<{ resource?: OtlpResource; schemaUrl?: string; scopeLogs?: Array<{ scope?: OtlpScope; logRecords?: OtlpLogRecord[] }> }>;
}

const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export function isTraceRequest(value: unknown): value is OtlpTraceRequest {
  return Array.isArray((value as OtlpTraceRequest | undefined)?.resourceSpans);
}

export function isLogsRequest(value: unknown): value is OtlpLogsRequest {
  return Array.isArray((value as OtlpLogsRequest | undefined)?.resourceLogs);
}

export function otlpValue(value: OtlpAnyValue | undefined): AttributeValue {
  if (!value) {
    return null;
  }
  if (value.stringValue !== undefined) {
    return value.stringValue;
  }
  if (value.boolValue !== undefined) {
    return value.boolValue;
  }
  if (value.intValue !== undefined) {
    // int64 travels as a decimal string; beyond 2^53 keep the exact digits rather than a wrong number.
    const parsed = Number(value.intValue);
    return Number.isSafeInteger(parsed) ? parsed : String(value.intValue);
  }
  if (value.doubleValue !== undefined) {
    return Number(value.doubleValue);
  }
  if (value.bytesValue !== undefined) {
    return value.bytesValue;
  }
  if (value.arrayValue) {
    return (value.arrayValue.values ?? []).map(otlpValue);
  }
  if (value.kvlistValue) {
    return otlpAttributes(value.kvlistValue.values);
  }
  return null;
}

export function otlpAttributes(list: OtlpKeyValue[] | undefined): Attributes {
  const attributes: Attributes = {};
  for (const { key, value } of list ?? []) {
    attributes[key] = otlpValue(value);
  }
  return attributes;
}

export function otlpKind(kind: number | string | undefined): SpanKind {
  if (typeof kind === 'number') {
    return KINDS[kind] ?? 'unspecified';
  }
  const name = (kind ?? '').toLowerCase().replace(/^span_kind_/, '');
  return (KINDS as string[]).includes(name) ? (name as SpanKind) : 'unspecified';
}

/** Status codes as integers (0/1/2, also as text) or names in any case, with or without `STATUS_CODE_`. */
export function otlpStatusCode(code: number | string | undefined): StatusCode {
  const name = typeof code === 'string' ? code.toLowerCase().replace(/^status_code_/, '') : code;
  return name === 2 || name === '2' || name === 'error' ? 2 : name === 1 || name === '1' || name === 'ok' ? 1 : 0;
}

function otlpScope(scope: OtlpScope | undefined, schemaUrl: string | undefined): InstrumentationScope | undefined {
  if (!scope && !schemaUrl) {
    return undefined;
  }
  const attributes = otlpAttributes(scope?.attributes);
  return {
    name: scope?.name || undefined,
    version: scope?.version || undefined,
    attributes: Object.keys(attributes).length > 0 ? attributes : undefined,
    schemaUrl: schemaUrl || undefined,
  };
}

function otlpEvent(event: NonNullable<OtlpSpan['events']>[number]): SpanEvent {
  return {
    timeUnixNano: parseNanos(event.timeUnixNano) ?? BigInt(0),
    name: event.name,
    attributes: otlpAttributes(event.attributes),
    droppedAttributesCount: event.droppedAttributesCount || undefined,
  };
}

function otlpLink(link: NonNullable<OtlpSpan['links']>[number]): SpanLink {
  return {
    traceId: normaliseTraceId(link.traceId) ?? link.traceId,
    spanId: normaliseSpanId(link.spanId) ?? link.spanId,
    traceState: link.traceState || undefined,
    attributes: otlpAttributes(link.attributes),
    droppedAttributesCount: link.droppedAttributesCount || undefined,
  };
}

export function otlpSpan(span: OtlpSpan, resource: Attributes, scope: InstrumentationScope | undefined, resourceSchemaUrl?: string): LogicalSpan {
  const start = parseNanos(span.startTimeUnixNano) ?? BigInt(0);
  const end = parseNanos(span.endTimeUnixNano) ?? start;
  const serviceName = resource['service.name'];
  return {
    traceId: normaliseTraceId(span.traceId) ?? span.traceId,
    spanId: normaliseSpanId(span.spanId) ?? span.spanId,
    parentSpanId: normaliseSpanId(span.parentSpanId),
    name: span.name,
    serviceName: typeof serviceName === 'string' && serviceName !== '' ? serviceName : UNKNOWN_SERVICE,
    kind: otlpKind(span.kind),
    startTimeUnixNano: start,
    durationNano: end >= start ? end - start : BigInt(0),
    statusCode: otlpStatusCode(span.status?.code),
    statusMessage: span.status?.message || undefined,
    attributes: otlpAttributes(span.attributes),
    resourceAttributes: resource,
    resourceSchemaUrl,
    scope,
    traceState: span.traceState || undefined,
    events: (span.events ?? []).map(otlpEvent),
    links: (span.links ?? []).map(otlpLink),
    droppedAttributesCount: span.droppedAttributesCount || undefined,
    droppedEventsCount: span.droppedEventsCount || undefined,
    droppedLinksCount: span.droppedLinksCount || undefined,
    source: { schema: 'otlp', index: '', warnings: [] },
  };
}

/** Every span of an export request, with its resource and scope resolved. */
export function spansFromOtlp(request: OtlpTraceRequest): LogicalSpan[] {
  const spans: LogicalSpan[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = otlpAttributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = otlpScope(scopeSpans.scope, scopeSpans.schemaUrl);
      for (const span of scopeSpans.spans ?? []) {
        spans.push(otlpSpan(span, resource, scope, resourceSpans.schemaUrl || undefined));
      }
    }
  }
  return spans;
}

export function logRecordsFromOtlp(request: OtlpLogsRequest): LogicalLogRecord[] {
  const records: LogicalLogRecord[] = [];
  for (const resourceLogs of request.resourceLogs) {
    const resource = otlpAttributes(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const scope = otlpScope(scopeLogs.scope, undefined);
      for (const record of scopeLogs.logRecords ?? []) {
        const observed = parseNanos(record.observedTimeUnixNano);
        records.push({
          timeUnixNano: parseNanos(record.timeUnixNano) || observed || BigInt(0),
          observedTimeUnixNano: observed,
          traceId: normaliseTraceId(record.traceId),
          spanId: normaliseSpanId(record.spanId),
          severityText: record.severityText || undefined,
          severityNumber: record.severityNumber === undefined ? undefined : Number(record.severityNumber) || undefined,
          body: record.body ? otlpValue(record.body) : undefined,
          eventName: record.eventName || undefined,
          attributes: otlpAttributes(record.attributes),
          resourceAttributes: resource,
          scope,
        });
      }
    }
  }
  return records;
}
