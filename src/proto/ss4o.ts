/**
 * `ss4o`: OpenSearch's Simple Schema for Observability as the OpenTelemetry Collector contrib
 * `opensearchexporter` writes it: spans into `ss4o_traces-<dataset>-<namespace>`, logs into
 * `ss4o_logs-<dataset>-<namespace>` (default `default` / `namespace`). No template is installed,
 * so OpenSearch maps everything dynamically. Surprises of the exporter's documents:
 * - kind and status are words (`Server`, `Error`), and Go's RFC 3339 times drop trailing zeros;
 * - dynamic mapping keeps only milliseconds of `startTime`/`endTime`: nanoseconds come from `_source`;
 * - spans carry an `@timestamp` never set (`0001-01-01T00:00:00Z`): time is `startTime`;
 * - `resource` is one flat map of dotted keys with every value turned into text;
 * - `attributes.data_stream` {dataset, namespace, type} is the exporter's, not a span attribute;
 * - no duration is stored, so duration filters compare `endTime` with `startTime`.
 */
import { readPath, toAttributes } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId } from './ids';
import { detectLogFields, type LogPaths, type LogSchema, logsIndexOf, readLogIds, readSeverity } from './logSchema';
import { type Attributes, type AttributeValue, type InstrumentationScope, type LogicalLogRecord, type LogicalSpan, type SpanEvent, type SpanKind, type SpanLink, type StatusCode, UNKNOWN_SERVICE } from './model';
import type { Detection, JsonObject, SpanSchema, StoredHit } from './schema';
import { compact, detectByFields, pagingSort, readCount, readEachHit, readEventArray, readIso, readKind, readLinkArray, readStatusCode, readString, requireIds, startRange } from './schemaSupport';
import { formatIsoNanos } from './time';

const SCHEMA = 'ss4o';
/** The key the exporter adds to every span's and log record's attributes. */
const DATA_STREAM = 'data_stream';
/** What the exporter writes for a span's `@timestamp`: Go's zero time, never set. */
const UNSET_TIMESTAMP = '0001-01-01T00:00:00Z';

// ---- reading -------------------------------------------------------------------------------

/** Stored attributes without the exporter's `data_stream` entry. */
function readAttributes(value: unknown): Attributes {
  const attributes = toAttributes(value);
  delete attributes[DATA_STREAM];
  return attributes;
}

function readScope(source: JsonObject): InstrumentationScope | undefined {
  const attributes = toAttributes(readPath(source, 'instrumentationScope.attributes'));
  const scope = {
    name: readString(source, 'instrumentationScope.name'),
    version: readString(source, 'instrumentationScope.version'),
    attributes: Object.keys(attributes).length > 0 ? attributes : undefined,
    schemaUrl: readString(source, 'instrumentationScope.schemaUrl'),
  };
  return scope.name || scope.version || scope.attributes || scope.schemaUrl ? scope : undefined;
}

/** An event's time: `@timestamp`, or `observedTimestamp` where the exporter had no event time. */
function readEvent(raw: unknown): SpanEvent | undefined {
  const time = readIso(readPath(raw, '@timestamp')) ?? readIso(readPath(raw, 'observedTimestamp'));
  const name = readString(raw, 'name');
  return time === undefined || name === undefined ? undefined : { timeUnixNano: time, name, attributes: toAttributes(readPath(raw, 'attributes')), droppedAttributesCount: readCount(readPath(raw, 'droppedAttributesCount')) };
}

function ss4oDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const ids = requireIds(hit, readPath(source, 'traceId'), readPath(source, 'spanId'));
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readIso(readPath(source, 'startTime'));
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable startTime`;
  }
  const warnings: string[] = [];
  const end = readIso(readPath(source, 'endTime'));
  if (end === undefined || end < start) {
    warnings.push('the document has no endTime at or after its startTime; duration shown as 0');
  }
  const resourceAttributes = toAttributes(readPath(source, 'resource'));
  const service = resourceAttributes['service.name'];
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId: readParentSpanId(readPath(source, 'parentSpanId'), warnings),
    name: readString(source, 'name') ?? '',
    serviceName: typeof service === 'string' && service !== '' ? service : UNKNOWN_SERVICE,
    kind: readKind(readPath(source, 'kind')),
    startTimeUnixNano: start,
    durationNano: end !== undefined && end >= start ? end - start : BigInt(0),
    statusCode: readStatusCode(readPath(source, 'status.code')),
    statusMessage: readString(source, 'status.message'),
    attributes: readAttributes(readPath(source, 'attributes')),
    resourceAttributes,
    scope: readScope(source),
    traceState: readString(source, 'traceState'),
    events: readEventArray(readPath(source, 'events'), readEvent, warnings),
    links: readLinkArray(readPath(source, 'links'), { traceId: 'traceId', spanId: 'spanId', traceState: 'traceState', attributes: 'attributes', droppedAttributesCount: 'droppedAttributesCount' }, warnings, toAttributes),
    droppedAttributesCount: readCount(readPath(source, 'droppedAttributesCount')),
    droppedEventsCount: readCount(readPath(source, 'droppedEventsCount')),
    droppedLinksCount: readCount(readPath(source, 'droppedLinksCount')),
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

// ---- writing -------------------------------------------------------------------------------

/** pdata's names: `ptrace.SpanKind.String()` and `ptrace.StatusCode.String()`. */
const KIND_WORDS: Record<SpanKind, string> = { unspecified: 'Unspecified', internal: 'Internal', server: 'Server', client: 'Client', producer: 'Producer', consumer: 'Consumer' };
const STATUS_WORDS: Record<StatusCode, string> = { 0: 'Unset', 1: 'Ok', 2: 'Error' };

/** Go's `time.Time` in JSON (RFC 3339 with nanoseconds): trailing zeros of the fraction dropped. */
export function formatGoTime(ns: bigint): string {
  return formatIsoNanos(ns).replace(/\.?0+Z$/, 'Z');
}

/** pcommon's `Value.AsString()`: text as is, other scalars as their literal, maps and arrays as JSON with sorted keys. */
function goValueText(value: AttributeValue): string {
  if (value === null) {
    return '';
  }
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(sortedKeys(value)) : String(value);
}

function sortedKeys(value: AttributeValue): AttributeValue {
  if (Array.isArray(value)) {
    return value.map(sortedKeys);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys(value[key])]));
  }
  return value;
}

/** The resource as the exporter flattens it: one map of original keys to text. */
function resourceText(attributes: Attributes): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, goValueText(value)]));
}

/** Dataset and namespace named by an `ss4o_<signal>-<dataset>-<namespace>` index, else the exporter's defaults. */
export function dataStreamOf(index: string, type: 'span' | 'record'): JsonObject {
  const match = /^ss4o_(?:traces|logs)-([^-]+)-([^-]+)$/.exec(index);
  return { dataset: match?.[1] ?? 'default', namespace: match?.[2] ?? 'namespace', type };
}

function eventToDocument(event: SpanEvent): JsonObject {
  // The exporter writes the time under `@timestamp` (and the export time as `observedTimestamp` only for events without one).
  return { attributes: event.attributes, droppedAttributesCount: event.droppedAttributesCount ?? 0, name: event.name, '@timestamp': formatGoTime(event.timeUnixNano) };
}

function linkToDocument(link: SpanLink): JsonObject {
  return compact({ attributes: link.attributes, spanId: link.spanId, traceId: link.traceId, traceState: link.traceState, droppedAttributesCount: link.droppedAttributesCount || undefined });
}

/** One span as the exporter encodes it (`encodeTrace`), fields in its struct order; empty strings included. */
export function spanToSs4oDocument(span: LogicalSpan, index: string): JsonObject {
  const end = span.startTimeUnixNano + (span.durationNano ?? BigInt(0));
  const scopeAttributes = span.scope?.attributes ?? {};
  return {
    attributes: { ...span.attributes, [DATA_STREAM]: dataStreamOf(index, 'span') },
    droppedAttributesCount: span.droppedAttributesCount ?? 0,
    droppedEventsCount: span.droppedEventsCount ?? 0,
    droppedLinksCount: span.droppedLinksCount ?? 0,
    endTime: formatGoTime(end),
    ...(span.events.length > 0 ? { events: span.events.map(eventToDocument) } : {}),
    instrumentationScope: {
      ...(Object.keys(scopeAttributes).length > 0 ? { attributes: scopeAttributes } : {}),
      droppedAttributesCount: 0,
      name: span.scope?.name ?? '',
      schemaUrl: span.scope?.schemaUrl ?? '',
      version: span.scope?.version ?? '',
    },
    kind: KIND_WORDS[span.kind],
    ...(span.links.length > 0 ? { links: span.links.map(linkToDocument) } : {}),
    name: span.name,
    parentSpanId: span.parentSpanId ?? '',
    ...(Object.keys(span.resourceAttributes).length > 0 ? { resource: resourceText(span.resourceAttributes) } : {}),
    spanId: span.spanId,
    startTime: formatGoTime(span.startTimeUnixNano),
    status: { code: STATUS_WORDS[span.statusCode], message: span.statusMessage ?? '' },
    '@timestamp': UNSET_TIMESTAMP,
    traceId: span.traceId,
    traceState: span.traceState ?? '',
  };
}

// ---- the schema ----------------------------------------------------------------------------

/** Fields of other producers' span documents that the exporter never writes. */
const NOT_SS4O = ['durationInNanos', 'traceGroup', 'serviceName'];

function detectSs4o(catalog: FieldCatalog): Detection {
  if (NOT_SS4O.some((path) => catalog.has(path))) {
    return { schema: SCHEMA, score: 0, evidence: [] };
  }
  return detectByFields(SCHEMA, catalog, ['traceId', 'spanId', 'startTime', 'status.code', 'instrumentationScope'], ['endTime', 'kind', 'name', 'parentSpanId', 'droppedEventsCount', 'attributes.data_stream.type', 'resource.*']);
}

export const ss4oSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'OpenTelemetry Collector opensearchexporter (Simple Schema for Observability)',
  paths: { traceId: 'traceId', spanId: 'spanId', parentSpanId: 'parentSpanId', name: 'name', serviceName: 'resource.service.name', start: 'startTime', statusCode: 'status.code' },
  search: {
    durations: [],
    start: { field: 'startTime', unit: 'date' },
    end: { field: 'endTime' },
    kind: { style: 'field', field: 'kind' },
    status: { style: 'field', field: 'status.code', error: ['Error'], ok: ['Ok'] },
    // The exporter adds `attributes.data_stream.*` to every span; the reader leaves it out, and so do the key pickers.
    attributes: { style: 'fields', prefixes: [{ prefix: 'attributes.', notAttributes: ['data_stream.'] }, { prefix: 'resource.' }] },
  },
  detect: detectSs4o,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, 'startTime', 'date', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, 'startTime', 'spanId'),
  readHits: (hits) => readEachHit(hits, ss4oDocumentToSpan),
  writeSpans: (spans, indexBase) => spans.map((span) => ({ index: indexBase, document: spanToSs4oDocument(span, indexBase) })),
  // The exporter installs no template: OpenSearch maps its documents dynamically.
  producerMapping: () => 'dynamic',
  indexSetups: (indexBase) => [{ index: indexBase, body: {} }],
};

// ---- logs ----------------------------------------------------------------------------------

const SS4O_LOG_PATHS: LogPaths = {
  traceId: 'traceId',
  spanIds: ['spanId'],
  time: '@timestamp',
  timeUnit: 'date',
  body: ['body'],
  severityText: 'severity.text',
  severityNumber: 'severity.number',
  service: ['resource.service.name'],
};

function ss4oDocumentToLog(hit: StoredHit): LogicalLogRecord | string {
  const source = hit._source ?? {};
  const observed = readIso(readPath(source, 'observedTimestamp'));
  const stamped = readIso(readPath(source, '@timestamp'));
  // A record without a time is written with the Unix epoch; the exporter's clock is then the best time.
  const time = stamped === undefined || stamped === BigInt(0) ? observed : stamped;
  if (time === undefined) {
    return `log document ${hit._index}/${hit._id} has no readable @timestamp or observedTimestamp`;
  }
  const body = readPath(source, 'body');
  return {
    timeUnixNano: time,
    observedTimeUnixNano: observed,
    ...readLogIds(source, SS4O_LOG_PATHS),
    ...readSeverity(source, SS4O_LOG_PATHS),
    body: typeof body === 'string' && body !== '' ? body : undefined,
    attributes: readAttributes(readPath(source, 'attributes')),
    resourceAttributes: toAttributes(readPath(source, 'resource')),
    scope: readScope(source),
  };
}

/** One log record as the exporter encodes it (`encodeLogSSO`), fields in its struct order. */
export function logToSs4oDocument(record: LogicalLogRecord, index: string): JsonObject {
  const scope = record.scope;
  return {
    attributes: { ...record.attributes, [DATA_STREAM]: dataStreamOf(index, 'record') },
    body: record.body === undefined ? '' : goValueText(record.body),
    instrumentationScope: compact({ attributes: scope?.attributes, name: scope?.name, schemaUrl: scope?.schemaUrl, version: scope?.version }),
    // The exporter stamps its own clock here; the record's observed time stands in for it.
    observedTimestamp: formatGoTime(record.observedTimeUnixNano ?? record.timeUnixNano),
    ...compact({ resource: resourceText(record.resourceAttributes), schemaUrl: scope?.schemaUrl }),
    severity: compact({ text: record.severityText, number: record.severityNumber || undefined }),
    ...compact({ spanId: record.spanId }),
    '@timestamp': formatGoTime(record.timeUnixNano),
    ...compact({ traceId: record.traceId }),
  };
}

export const ss4oLogSchema: LogSchema = {
  name: SCHEMA,
  producer: ss4oSchema.producer,
  paths: SS4O_LOG_PATHS,
  detect: (catalog) => detectLogFields(catalog, ['traceId', '@timestamp'], ['severity.text', 'severity.number', 'body', 'observedTimestamp'], ['startTime', 'time', 'durationInNanos']),
  readHit: ss4oDocumentToLog,
  writeLogs: (records, indexBase) => records.map((record) => ({ index: logsIndexOf(indexBase), document: logToSs4oDocument(record, logsIndexOf(indexBase)) })),
  producerMapping: () => 'dynamic',
  indexSetups: (indexBase) => [{ index: logsIndexOf(indexBase), body: {} }],
};
