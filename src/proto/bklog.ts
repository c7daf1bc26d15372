/**
 * `bklog`: BlueKing (bk-monitor APM / bk-log OTLP trace index sets), the seed system's layout
 * (storage-schemas.md §6.2): snake_case ids, microsecond longs, integer kind and status, attributes
 * and resource as nested objects (so dotted keys come back by flattening), nested events and links.
 */
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId } from './ids';
import { type LogicalLogRecord, type LogicalSpan, type SpanEvent, UNKNOWN_SERVICE } from './model';
import { bodyText, detectLogFields, type LogPaths, type LogSchema, logsIndexOf, readLogBody, readLogIds, readSeverity } from './logSchema';
import type { Detection, JsonObject, SpanSchema, StoredHit } from './schema';
import { compact, detectByFields, flattenObject, KEYWORD, nestObject, pagingSort, readEachHit, readEventArray, readKind, readLinkArray, readNanos, readStatusCode, readString, requireIds, singleIndex, startRange, writeEach } from './schemaSupport';

const SCHEMA = 'bklog';
const NS_PER_US = BigInt(1000);
const KIND_NUMBERS = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

function readEvents(value: unknown, warnings: string[]): SpanEvent[] {
  return readEventArray(value, (event): SpanEvent | undefined => {
    const time = readNanos(readPath(event, 'timestamp'), 'us');
    const name = readString(event, 'name');
    return time === undefined || name === undefined ? undefined : { timeUnixNano: time, name, attributes: flattenObject(readPath(event, 'attributes')) };
  }, warnings);
}


function bklogDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const ids = requireIds(hit, readPath(source, 'trace_id'), readPath(source, 'span_id'));
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readNanos(readPath(source, 'start_time'), 'us');
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable start_time`;
  }
  const warnings: string[] = [];
  const end = readNanos(readPath(source, 'end_time'), 'us');
  const duration = readNanos(readPath(source, 'elapsed_time'), 'us') ?? (end !== undefined && end >= start ? end - start : undefined);
  if (duration === undefined) {
    warnings.push('the document has no valid elapsed_time or end_time; shown as 0');
  }
  const resourceAttributes = flattenObject(readPath(source, 'resource'));
  const service = resourceAttributes['service.name'];
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId: readParentSpanId(readPath(source, 'parent_span_id'), warnings),
    name: readString(source, 'span_name') ?? '',
    serviceName: typeof service === 'string' && service !== '' ? service : UNKNOWN_SERVICE,
    kind: readKind(readPath(source, 'kind')),
    startTimeUnixNano: start,
    durationNano: duration ?? BigInt(0),
    statusCode: readStatusCode(readPath(source, 'status.code')),
    statusMessage: readString(source, 'status.message'),
    attributes: flattenObject(readPath(source, 'attributes')),
    resourceAttributes,
    traceState: readString(source, 'trace_state'),
    events: readEvents(readPath(source, 'events'), warnings),
    links: readLinkArray(readPath(source, 'links'), { traceId: 'trace_id', spanId: 'span_id', traceState: 'trace_state', attributes: 'attributes' }, warnings, (raw) => flattenObject(raw)),
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

const micros = (ns: bigint): number => Number(ns / NS_PER_US);

export function spanToBklogDocument(span: LogicalSpan): JsonObject {
  const start = micros(span.startTimeUnixNano);
  const elapsed = micros(span.durationNano ?? BigInt(0));
  return compact({
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId ?? '',
    span_name: span.name,
    kind: KIND_NUMBERS[span.kind],
    start_time: start,
    end_time: start + elapsed,
    elapsed_time: elapsed,
    status: compact({ code: span.statusCode, message: span.statusMessage }),
    trace_state: span.traceState ?? '',
    attributes: nestObject(span.attributes),
    resource: nestObject(span.resourceAttributes),
    events: span.events.map((event) => ({ name: event.name, timestamp: micros(event.timeUnixNano), attributes: nestObject(event.attributes) })),
    links: span.links.map((link) => compact({ trace_id: link.traceId, span_id: link.spanId, trace_state: link.traceState, attributes: nestObject(link.attributes) })),
    time: Math.floor(start / 1000),
  });
}

/** The shape of a bk-log OTLP trace result table: keywords, microsecond longs, nested events/links. */
export const BKLOG_SPAN_MAPPING: JsonObject = {
  properties: {
    trace_id: KEYWORD,
    span_id: KEYWORD,
    parent_span_id: KEYWORD,
    span_name: KEYWORD,
    trace_state: KEYWORD,
    kind: { type: 'integer' },
    start_time: { type: 'long' },
    end_time: { type: 'long' },
    elapsed_time: { type: 'long' },
    status: { properties: { code: { type: 'integer' }, message: { type: 'text' } } },
    attributes: { type: 'object', dynamic: true },
    resource: { type: 'object', dynamic: true },
    events: { type: 'nested', properties: { name: KEYWORD, timestamp: { type: 'long' } } },
    links: { type: 'nested', properties: { trace_id: KEYWORD, span_id: KEYWORD, trace_state: KEYWORD } },
    time: { type: 'date', format: 'epoch_millis' },
  },
};

function detectBklog(catalog: FieldCatalog): Detection {
  return detectByFields(SCHEMA, catalog, ['trace_id', 'span_name', 'elapsed_time'], ['start_time', 'end_time', 'kind', 'span_id', 'parent_span_id']);
}

export const bklogSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'BlueKing bk-monitor APM / bk-log OTLP trace (the seed system)',
  paths: { traceId: 'trace_id', spanId: 'span_id', parentSpanId: 'parent_span_id', name: 'span_name', serviceName: 'resource.service.name', start: 'start_time', duration: 'elapsed_time', statusCode: 'status.code' },
  search: {
    durations: [{ field: 'elapsed_time', unit: 'us' }],
    start: { field: 'start_time', unit: 'us' },
    end: { field: 'end_time', unit: 'us' },
    kind: { style: 'field', field: 'kind' },
    status: { style: 'field', field: 'status.code', error: [2], ok: [1] },
    attributes: { style: 'fields', prefixes: [{ prefix: 'attributes.' }, { prefix: 'resource.' }] },
  },
  detect: detectBklog,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, 'start_time', 'micros', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, 'start_time', 'span_id'),
  readHits: (hits) => readEachHit(hits, bklogDocumentToSpan),
  writeSpans: writeEach(spanToBklogDocument),
  producerMapping: () => 'template',
  indexSetups: singleIndex(BKLOG_SPAN_MAPPING),
};

// ---- logs ----------------------------------------------------------------------------------

/**
 * The seed's OTLP logs, in the conventions of its trace tables: snake_case ids, microsecond
 * `timestamp`, nested `attributes` and `resource`, `time` as the pipeline's millisecond time.
 */
const BKLOG_LOG_PATHS: LogPaths = {
  traceId: 'trace_id',
  spanIds: ['span_id'],
  time: 'timestamp',
  timeUnit: 'micros',
  body: ['body'],
  severityText: 'severity_text',
  severityNumber: 'severity_number',
  service: ['resource.service.name'],
};

function bklogDocumentToLog(hit: StoredHit): LogicalLogRecord | string {
  const source = hit._source ?? {};
  const time = readNanos(readPath(source, 'timestamp'), 'us');
  if (time === undefined) {
    return `log document ${hit._index}/${hit._id} has no readable timestamp`;
  }
  return {
    timeUnixNano: time,
    observedTimeUnixNano: readNanos(readPath(source, 'observed_timestamp'), 'us'),
    ...readLogIds(source, BKLOG_LOG_PATHS),
    ...readSeverity(source, BKLOG_LOG_PATHS),
    body: readLogBody(source, BKLOG_LOG_PATHS),
    attributes: flattenObject(readPath(source, 'attributes')),
    resourceAttributes: flattenObject(readPath(source, 'resource')),
  };
}

function logToBklogDocument(record: LogicalLogRecord): JsonObject {
  const time = micros(record.timeUnixNano);
  return compact({
    trace_id: record.traceId ?? '',
    span_id: record.spanId ?? '',
    timestamp: time,
    observed_timestamp: record.observedTimeUnixNano === undefined ? undefined : micros(record.observedTimeUnixNano),
    severity_text: record.severityText,
    severity_number: record.severityNumber,
    body: bodyText(record.body),
    attributes: nestObject(record.attributes),
    resource: nestObject(record.resourceAttributes),
    time: Math.floor(time / 1000),
  });
}

const BKLOG_LOG_MAPPING: JsonObject = {
  properties: {
    trace_id: KEYWORD,
    span_id: KEYWORD,
    timestamp: { type: 'long' },
    observed_timestamp: { type: 'long' },
    severity_text: KEYWORD,
    severity_number: { type: 'integer' },
    body: { type: 'text' },
    attributes: { type: 'object', dynamic: true },
    resource: { type: 'object', dynamic: true },
    time: { type: 'date', format: 'epoch_millis' },
  },
};

export const bklogLogSchema: LogSchema = {
  name: SCHEMA,
  producer: 'BlueKing OTLP logs (the seed system)',
  paths: BKLOG_LOG_PATHS,
  detect: (catalog) => detectLogFields(catalog, ['trace_id', 'timestamp'], ['severity_text', 'severity_number', 'body'], ['@timestamp', 'span_name']),
  readHit: bklogDocumentToLog,
  writeLogs: (records, indexBase) => records.map((record) => ({ index: logsIndexOf(indexBase), document: logToBklogDocument(record) })),
  producerMapping: () => 'template',
  indexSetups: (indexBase, style) => [{ index: logsIndexOf(indexBase), body: style === 'template' ? { mappings: BKLOG_LOG_MAPPING } : {} }],
};
