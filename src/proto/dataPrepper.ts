/**
 * `data-prepper`: OpenSearch Data Prepper's trace sink (storage-schemas.md §4). Two document
 * shapes are read: the classic one (flat `span.attributes.http@method` keys, `serviceName`,
 * `traceGroup`) and the standard one (`attributes.*` with original keys, `status` object).
 * Writing produces the classic shape into an index made from Data Prepper's template.
 */
import { readPath, toAttributes, toAttributeValue } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId } from './ids';
import { type Attributes, type AttributeValue, type LogicalLogRecord, type LogicalSpan, type SpanEvent, UNKNOWN_SERVICE } from './model';
import { bodyText, detectLogFields, type LogPaths, type LogSchema, logsIndexOf, readLogBody, readLogIds, readSeverity } from './logSchema';
import type { Detection, JsonObject, SpanSchema, StoredHit, WrittenDocument } from './schema';
import { compact, detectByFields, KEYWORD, pagingSort, readCount, readEachHit, readEventArray, readIso, readKind, readLinkArray, readNanos, readStatusCode, readString, requireIds, rootNames, singleIndex, startRange } from './schemaSupport';
import { formatIsoNanos } from './time';

const SCHEMA = 'data-prepper';

/** Classic keys encode '.' as '@'; a key that really contained '@' cannot be told apart. */
const decodeKey = (key: string) => key.replace(/@/g, '.');
const encodeKey = (key: string) => key.replace(/\./g, '@');

/** Attributes under `prefix`, from flat literal keys (classic) or a nested object (standard). */
function attributesAt(source: JsonObject, prefix: string, classic: boolean): Attributes {
  const attributes: Attributes = {};
  if (classic) {
    for (const [key, value] of Object.entries(source)) {
      if (key.startsWith(`${prefix}.`)) {
        const converted = toAttributeValue(value);
        if (converted !== undefined) {
          attributes[decodeKey(key.slice(prefix.length + 1))] = converted;
        }
      }
    }
    return attributes;
  }
  return toAttributes(readPath(source, prefix));
}

function nestedAttributes(value: unknown, classic: boolean): Attributes {
  const raw = toAttributes(value);
  return classic ? Object.fromEntries(Object.entries(raw).map(([key, item]) => [decodeKey(key), item])) : raw;
}

function readEvents(value: unknown, classic: boolean, warnings: string[]): SpanEvent[] {
  return readEventArray(value, (event): SpanEvent | undefined => {
    const time = readIso(readPath(event, 'time'));
    const name = readString(event, 'name');
    return time === undefined || name === undefined ? undefined : { timeUnixNano: time, name, attributes: nestedAttributes(readPath(event, 'attributes'), classic), droppedAttributesCount: readCount(readPath(event, 'droppedAttributesCount')) };
  }, warnings);
}


function dataPrepperDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const ids = requireIds(hit, readPath(source, 'traceId'), readPath(source, 'spanId'));
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readIso(readPath(source, 'startTime'));
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable startTime`;
  }
  const classic = Object.keys(source).some((key) => key.startsWith('span.attributes.') || key.startsWith('resource.attributes.')) || 'serviceName' in source || 'traceGroup' in source;
  const warnings: string[] = [];
  const end = readIso(readPath(source, 'endTime'));
  const duration = readNanos(readPath(source, 'durationInNanos'), 'ns') ?? (end !== undefined && end >= start ? end - start : undefined);
  if (duration === undefined) {
    warnings.push('the document has no valid durationInNanos or endTime; shown as 0');
  }
  const resourceAttributes = attributesAt(source, 'resource.attributes', classic);
  const resourceService = resourceAttributes['service.name'];
  const service = readString(source, 'serviceName') ?? (typeof resourceService === 'string' && resourceService !== '' ? resourceService : undefined);
  const scopeName = readString(source, 'instrumentationScope.name');
  const scopeVersion = readString(source, 'instrumentationScope.version');
  const scopeAttributes = classic ? {} : toAttributes(readPath(source, 'instrumentationScope.attributes'));
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId: readParentSpanId(readPath(source, 'parentSpanId'), warnings),
    name: readString(source, 'name') ?? '',
    serviceName: service ?? UNKNOWN_SERVICE,
    kind: readKind(readPath(source, 'kind')),
    startTimeUnixNano: start,
    durationNano: duration ?? BigInt(0),
    statusCode: readStatusCode(readPath(source, 'status.code')),
    statusMessage: readString(source, 'status.message'),
    attributes: attributesAt(source, classic ? 'span.attributes' : 'attributes', classic),
    resourceAttributes,
    resourceSchemaUrl: readString(source, 'resource.schemaUrl'),
    scope: scopeName || scopeVersion ? { name: scopeName, version: scopeVersion, attributes: Object.keys(scopeAttributes).length > 0 ? scopeAttributes : undefined, schemaUrl: readString(source, 'instrumentationScope.schemaUrl') } : undefined,
    traceState: readString(source, 'traceState'),
    events: readEvents(readPath(source, 'events'), classic, warnings),
    links: readLinkArray(readPath(source, 'links'), { traceId: 'traceId', spanId: 'spanId', traceState: 'traceState', attributes: 'attributes', droppedAttributesCount: 'droppedAttributesCount' }, warnings, (raw) => nestedAttributes(raw, classic)),
    droppedAttributesCount: readCount(readPath(source, 'droppedAttributesCount')),
    droppedEventsCount: readCount(readPath(source, 'droppedEventsCount')),
    droppedLinksCount: readCount(readPath(source, 'droppedLinksCount')),
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

// ---- writing (classic shape) --------------------------------------------------------------

/** Classic values: scalars as they are, arrays and maps as JSON strings. */
function classicValue(value: AttributeValue): AttributeValue {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

function flatAttributes(prefix: string, attributes: Attributes): JsonObject {
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [`${prefix}.${encodeKey(key)}`, classicValue(value)]));
}

function encodedAttributes(attributes: Attributes): JsonObject {
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [encodeKey(key), classicValue(value)]));
}

const KIND_NAMES: Record<string, string> = { unspecified: 'SPAN_KIND_UNSPECIFIED', internal: 'SPAN_KIND_INTERNAL', server: 'SPAN_KIND_SERVER', client: 'SPAN_KIND_CLIENT', producer: 'SPAN_KIND_PRODUCER', consumer: 'SPAN_KIND_CONSUMER' };

export function spanToDataPrepperDocument(span: LogicalSpan, traceGroup?: string): JsonObject {
  const end = span.startTimeUnixNano + (span.durationNano ?? BigInt(0));
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? '',
    traceState: span.traceState ?? '',
    name: span.name,
    kind: KIND_NAMES[span.kind],
    startTime: formatIsoNanos(span.startTimeUnixNano),
    endTime: formatIsoNanos(end),
    durationInNanos: Number(span.durationNano ?? BigInt(0)),
    serviceName: span.serviceName,
    ...flatAttributes('span.attributes', span.attributes),
    ...flatAttributes('resource.attributes', span.resourceAttributes),
    ...compact({ 'instrumentationScope.name': span.scope?.name, 'instrumentationScope.version': span.scope?.version }),
    'status.code': span.statusCode,
    ...compact({ 'status.message': span.statusMessage }),
    events: span.events.map((event) => ({ name: event.name, time: formatIsoNanos(event.timeUnixNano), attributes: encodedAttributes(event.attributes), droppedAttributesCount: event.droppedAttributesCount ?? 0 })),
    links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, traceState: link.traceState ?? '', attributes: encodedAttributes(link.attributes), droppedAttributesCount: link.droppedAttributesCount ?? 0 })),
    droppedAttributesCount: span.droppedAttributesCount ?? 0,
    droppedEventsCount: span.droppedEventsCount ?? 0,
    droppedLinksCount: span.droppedLinksCount ?? 0,
    ...compact({ traceGroup }),
  };
}

/** The mapping of Data Prepper's otel-v1-apm-span index template (classic). */
export const DATA_PREPPER_SPAN_MAPPING: JsonObject = {
  date_detection: false,
  dynamic_templates: [
    { resource_attributes_map: { mapping: KEYWORD, path_match: 'resource.attributes.*' } },
    { span_attributes_map: { mapping: KEYWORD, path_match: 'span.attributes.*' } },
  ],
  properties: {
    traceId: KEYWORD,
    spanId: KEYWORD,
    parentSpanId: KEYWORD,
    name: KEYWORD,
    traceGroup: KEYWORD,
    traceGroupFields: { properties: { endTime: { type: 'date_nanos' }, durationInNanos: { type: 'long' }, statusCode: { type: 'integer' } } },
    kind: KEYWORD,
    startTime: { type: 'date_nanos' },
    endTime: { type: 'date_nanos' },
    status: { properties: { code: { type: 'integer' }, message: KEYWORD } },
    serviceName: KEYWORD,
    durationInNanos: { type: 'long' },
    events: { type: 'nested', properties: { time: { type: 'date_nanos' } } },
    links: { type: 'nested' },
  },
};

function detectDataPrepper(catalog: FieldCatalog): Detection {
  return detectByFields(SCHEMA, catalog, ['traceId', 'spanId', 'durationInNanos'], ['traceGroup', 'serviceName', 'startTime', 'instrumentationScope.name', 'span.attributes.*', 'attributes.*', 'resource.attributes.*']);
}

export const dataPrepperSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'OpenSearch Data Prepper (otel_trace_source -> opensearch sink, classic and standard output)',
  paths: { traceId: 'traceId', spanId: 'spanId', parentSpanId: 'parentSpanId', name: 'name', serviceName: 'serviceName', start: 'startTime', duration: 'durationInNanos', statusCode: 'status.code', alternates: { serviceName: ['resource.attributes.service.name'] } },
  search: {
    durations: [{ field: 'durationInNanos', unit: 'ns' }],
    start: { field: 'startTime', unit: 'date' },
    end: { field: 'endTime' },
    kind: { style: 'field', field: 'kind' },
    status: { style: 'field', field: 'status.code', error: [2], ok: [1] },
    attributes: {
      style: 'fields',
      prefixes: [
        { prefix: 'span.attributes.', encode: encodeKey, decode: decodeKey },
        { prefix: 'resource.attributes.', encode: encodeKey, decode: decodeKey },
        { prefix: 'attributes.' },
      ],
    },
  },
  detect: detectDataPrepper,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, 'startTime', 'date', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, 'startTime', 'spanId'),
  readHits: (hits) => readEachHit(hits, dataPrepperDocumentToSpan),
  writeSpans(spans, indexBase): WrittenDocument[] {
    const groups = rootNames(spans);
    return spans.map((span) => ({ index: indexBase, document: spanToDataPrepperDocument(span, groups.get(span.traceId)) }));
  },
  producerMapping: () => 'template',
  indexSetups: singleIndex(DATA_PREPPER_SPAN_MAPPING),
};

// ---- logs ----------------------------------------------------------------------------------

/** Data Prepper's log pipeline (`logs-otel-v1-*`), classic shape: flat `log.attributes.a@b` keys. */
const DATA_PREPPER_LOG_PATHS: LogPaths = {
  traceId: 'traceId',
  spanIds: ['spanId'],
  time: 'time',
  timeUnit: 'date',
  body: ['body'],
  severityText: 'severityText',
  severityNumber: 'severityNumber',
  service: ['serviceName'],
};

function dataPrepperDocumentToLog(hit: StoredHit): LogicalLogRecord | string {
  const source = hit._source ?? {};
  const time = readIso(readPath(source, 'time')) ?? readIso(readPath(source, 'observedTimestamp'));
  if (time === undefined) {
    return `log document ${hit._index}/${hit._id} has no readable time`;
  }
  const classic = Object.keys(source).some((key) => key.startsWith('log.attributes.') || key.startsWith('resource.attributes.'));
  const scopeName = readString(source, 'instrumentationScope.name');
  return {
    timeUnixNano: time,
    observedTimeUnixNano: readIso(readPath(source, 'observedTimestamp')),
    ...readLogIds(source, DATA_PREPPER_LOG_PATHS),
    ...readSeverity(source, DATA_PREPPER_LOG_PATHS),
    body: readLogBody(source, DATA_PREPPER_LOG_PATHS),
    attributes: attributesAt(source, classic ? 'log.attributes' : 'attributes', classic),
    resourceAttributes: attributesAt(source, 'resource.attributes', classic),
    scope: scopeName ? { name: scopeName, version: readString(source, 'instrumentationScope.version') } : undefined,
  };
}

function logToDataPrepperDocument(record: LogicalLogRecord): JsonObject {
  const service = record.resourceAttributes['service.name'];
  return {
    time: formatIsoNanos(record.timeUnixNano),
    ...(record.observedTimeUnixNano === undefined ? {} : { observedTimestamp: formatIsoNanos(record.observedTimeUnixNano) }),
    traceId: record.traceId ?? '',
    spanId: record.spanId ?? '',
    ...compact({ severityText: record.severityText, severityNumber: record.severityNumber, body: bodyText(record.body), serviceName: typeof service === 'string' ? service : undefined }),
    ...flatAttributes('log.attributes', record.attributes),
    ...flatAttributes('resource.attributes', record.resourceAttributes),
    ...compact({ 'instrumentationScope.name': record.scope?.name, 'instrumentationScope.version': record.scope?.version }),
  };
}

/** The mapping of Data Prepper's logs-otel-v1 index template (classic). */
const DATA_PREPPER_LOG_MAPPING: JsonObject = {
  date_detection: false,
  dynamic_templates: [
    { log_attributes_map: { mapping: KEYWORD, path_match: 'log.attributes.*' } },
    { resource_attributes_map: { mapping: KEYWORD, path_match: 'resource.attributes.*' } },
  ],
  properties: {
    time: { type: 'date_nanos' },
    observedTimestamp: { type: 'date_nanos' },
    traceId: KEYWORD,
    spanId: KEYWORD,
    severityText: KEYWORD,
    severityNumber: { type: 'integer' },
    body: { type: 'text' },
    serviceName: KEYWORD,
  },
};

export const dataPrepperLogSchema: LogSchema = {
  name: SCHEMA,
  producer: 'OpenSearch Data Prepper (otel_logs_source -> opensearch sink)',
  paths: DATA_PREPPER_LOG_PATHS,
  detect: (catalog) => detectLogFields(catalog, ['traceId', 'time'], ['severityText', 'severityNumber', 'body', 'observedTimestamp'], ['durationInNanos']),
  readHit: dataPrepperDocumentToLog,
  // Empty ids are how the sink writes logs outside spans; readLogIds drops them.
  writeLogs: (records, indexBase) => records.map((record) => ({ index: logsIndexOf(indexBase), document: logToDataPrepperDocument(record) })),
  producerMapping: () => 'template',
  indexSetups: (indexBase, style) => [{ index: logsIndexOf(indexBase), body: style === 'template' ? { mappings: DATA_PREPPER_LOG_MAPPING } : {} }],
};
