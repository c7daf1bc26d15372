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
    name: span.name ?? '',
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
        records.push(otlpLogRecord(record, resource, scope));
      }
    }
  }
  return records;
}

export function otlpLogRecord(record: OtlpLogRecord, resource: Attributes, scope: InstrumentationScope | undefined): LogicalLogRecord {
  const observed = parseNanos(record.observedTimeUnixNano);
  return {
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
  };
}

// ---- validation ----------------------------------------------------------------------------
// What `estraces ingest` refuses to store: a record the readers would later skip, or one that
// would be stored wrong (a garbage time as epoch 0, a string of attributes as {"undefined": null}).

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;
const ZEROS = /^0+$/;
const MAX_INT64 = (BigInt(1) << BigInt(63)) - BigInt(1);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** OTLP/JSON ids are hex (this reader takes no base64 form): 32 digits for traces, 16 for spans, never all zero. */
function idProblem(value: unknown, field: string, pattern: RegExp, digits: number, optional: boolean): string | undefined {
  if (value === undefined || value === null || value === '') {
    return optional ? undefined : `${field} is missing`;
  }
  if (typeof value !== 'string' || !pattern.test(value)) {
    return `${field} ${shown(value)} is not ${digits} hexadecimal digits`;
  }
  return ZEROS.test(value) ? `${field} is all zeros, which OpenTelemetry reserves for "no id"` : undefined;
}

/** An OTLP nanosecond time, or the reason it is not one; `required` times may not be absent or 0. */
function timeProblem(value: unknown, field: string, required: boolean): string | undefined {
  if (value === undefined || value === null || value === '') {
    return required ? `${field} is missing` : undefined;
  }
  const nanos = parseNanos(value);
  if (nanos === undefined) {
    return `${field} ${shown(value)} is not a non-negative integer count of nanoseconds`;
  }
  if (nanos > MAX_INT64) {
    return `${field} ${shown(value)} is beyond the largest 64-bit time`;
  }
  return required && nanos === BigInt(0) ? `${field} is 0 (unset)` : undefined;
}

function anyValueProblem(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (!isObject(value)) {
    return `${field} ${shown(value)} is not an OTLP AnyValue object such as {"stringValue": "..."}`;
  }
  if (isObject(value.arrayValue)) {
    const values = value.arrayValue.values;
    if (values !== undefined && !Array.isArray(values)) {
      return `${field}.arrayValue.values is not a list`;
    }
    for (const [i, item] of (values ?? []).entries()) {
      const problem = anyValueProblem(item, `${field}.arrayValue.values[${i}]`);
      if (problem) {
        return problem;
      }
    }
  }
  return isObject(value.kvlistValue) ? attributesProblem(value.kvlistValue.values, `${field}.kvlistValue.values`) : undefined;
}

/** Attributes must be a list of {"key": ..., "value": {...}}, the OTLP/JSON KeyValue form. */
export function attributesProblem(list: unknown, field: string): string | undefined {
  if (list === undefined || list === null) {
    return undefined;
  }
  if (!Array.isArray(list)) {
    return `${field} ${shown(list)} is not a list of {"key": ..., "value": ...} objects`;
  }
  for (const [i, entry] of list.entries()) {
    if (!isObject(entry) || typeof entry.key !== 'string') {
      return `${field}[${i}] ${shown(entry)} is not a {"key": ..., "value": ...} object`;
    }
    const problem = anyValueProblem(entry.value, `${field}[${i}].value`);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

function listProblem(list: unknown, field: string, check: (item: unknown, field: string) => string | undefined): string | undefined {
  if (list === undefined || list === null) {
    return undefined;
  }
  if (!Array.isArray(list)) {
    return `${field} is not a list`;
  }
  for (const [i, item] of list.entries()) {
    const problem = isObject(item) ? check(item, `${field}[${i}]`) : `${field}[${i}] is not an object`;
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

const eventProblem = (event: unknown, field: string): string | undefined => {
  const { timeUnixNano, name, attributes } = event as Record<string, unknown>;
  return timeProblem(timeUnixNano, `${field}.timeUnixNano`, true) ?? (name !== undefined && typeof name !== 'string' ? `${field}.name is not a string` : undefined) ?? attributesProblem(attributes, `${field}.attributes`);
};

const linkProblem = (link: unknown, field: string): string | undefined => {
  const { traceId, spanId, attributes } = link as Record<string, unknown>;
  return idProblem(traceId, `${field}.traceId`, TRACE_ID, 32, false) ?? idProblem(spanId, `${field}.spanId`, SPAN_ID, 16, false) ?? attributesProblem(attributes, `${field}.attributes`);
};

/** Why this OTLP/JSON span cannot be stored, or undefined when it can. */
export function otlpSpanProblem(span: unknown): string | undefined {
  if (!isObject(span)) {
    return `the span ${shown(span)} is not an object`;
  }
  const problem =
    idProblem(span.traceId, 'traceId', TRACE_ID, 32, false) ??
    idProblem(span.spanId, 'spanId', SPAN_ID, 16, false) ??
    idProblem(span.parentSpanId, 'parentSpanId', SPAN_ID, 16, true) ??
    (span.name !== undefined && typeof span.name !== 'string' ? `name ${shown(span.name)} is not a string` : undefined) ??
    timeProblem(span.startTimeUnixNano, 'startTimeUnixNano', true) ??
    timeProblem(span.endTimeUnixNano, 'endTimeUnixNano', true) ??
    attributesProblem(span.attributes, 'attributes') ??
    listProblem(span.events, 'events', eventProblem) ??
    listProblem(span.links, 'links', linkProblem) ??
    (span.status !== undefined && span.status !== null && !isObject(span.status) ? `status ${shown(span.status)} is not an object` : undefined);
  if (problem) {
    return problem;
  }
  const start = parseNanos(span.startTimeUnixNano)!;
  const end = parseNanos(span.endTimeUnixNano)!;
  return end < start ? `endTimeUnixNano ${end} is before startTimeUnixNano ${start}` : undefined;
}

/** Why this OTLP/JSON log record cannot be stored, or undefined when it can. Logs need not belong to a trace. */
export function otlpLogRecordProblem(record: unknown): string | undefined {
  if (!isObject(record)) {
    return `the log record ${shown(record)} is not an object`;
  }
  const problem =
    idProblem(record.traceId, 'traceId', TRACE_ID, 32, true) ??
    idProblem(record.spanId, 'spanId', SPAN_ID, 16, true) ??
    timeProblem(record.timeUnixNano, 'timeUnixNano', false) ??
    timeProblem(record.observedTimeUnixNano, 'observedTimeUnixNano', false) ??
    attributesProblem(record.attributes, 'attributes') ??
    anyValueProblem(record.body, 'body');
  if (problem) {
    return problem;
  }
  // OTLP: when timeUnixNano is unset the observed time stands in; with neither the record has no place in time.
  return !parseNanos(record.timeUnixNano) && !parseNanos(record.observedTimeUnixNano) ? 'neither timeUnixNano nor observedTimeUnixNano is set' : undefined;
}

/** The resource and scope every span or log record of one scope group shares. */
export interface OtlpRecordContext {
  resource: Attributes;
  resourceSchemaUrl?: string;
  scope?: InstrumentationScope;
}

/** The context of a scope group from its raw parts, or the reason its records cannot be stored. */
export function otlpRecordContext(resource: unknown, resourceSchemaUrl: unknown, scope: unknown, scopeSchemaUrl: unknown): OtlpRecordContext | string {
  if (resource !== undefined && resource !== null && !isObject(resource)) {
    return `its resource ${shown(resource)} is not an object`;
  }
  if (scope !== undefined && scope !== null && !isObject(scope)) {
    return `its scope ${shown(scope)} is not an object`;
  }
  const problem = attributesProblem(resource?.attributes, 'its resource.attributes') ?? attributesProblem(scope?.attributes, 'its scope.attributes');
  if (problem) {
    return problem;
  }
  const schemaUrl = typeof resourceSchemaUrl === 'string' && resourceSchemaUrl !== '' ? resourceSchemaUrl : undefined;
  return {
    resource: otlpAttributes(resource?.attributes as OtlpKeyValue[] | undefined),
    resourceSchemaUrl: schemaUrl,
    scope: otlpScope((scope ?? undefined) as OtlpScope | undefined, typeof scopeSchemaUrl === 'string' ? scopeSchemaUrl : undefined),
  };
}

/** A span checked first: the logical span, or the reason it is rejected. */
export function checkedOtlpSpan(span: unknown, context: OtlpRecordContext): LogicalSpan | string {
  return otlpSpanProblem(span) ?? otlpSpan(span as OtlpSpan, context.resource, context.scope, context.resourceSchemaUrl);
}

/** A log record checked first: the logical record, or the reason it is rejected. */
export function checkedOtlpLogRecord(record: unknown, context: OtlpRecordContext): LogicalLogRecord | string {
  return otlpLogRecordProblem(record) ?? otlpLogRecord(record as OtlpLogRecord, context.resource, context.scope);
}
