/**
 * `otel`: the OpenTelemetry Collector elasticsearch exporter in `otel` mapping mode (its default).
 * storage-schemas.md §2.2-2.3. Span events are separate documents in a logs index; on engines
 * without Elastic's otel-data templates (OpenSearch, Elasticsearch < 8.16) everything is mapped
 * dynamically: ids become text with a .keyword sub-field and `@timestamp` ("ms.ns") becomes text.
 */
import { readPath, stringAt, toAttributes } from './attributes';
import { type FieldCatalog, hasPrefix } from './fieldCatalog';
import { normaliseSpanId, normaliseTraceId, readParentSpanId } from './ids';
import { type Attributes, type LogicalLogRecord, type LogicalSpan, type SpanEvent, type SpanKind, type SpanLink, UNKNOWN_SERVICE } from './model';
import { detectLogFields, type LogPaths, type LogSchema, logsIndexOf, readLogBody, readLogIds, readSeverity } from './logSchema';
import type { Detection, EngineFlavor, IndexSetup, JsonObject, MappingStyle, ReadResult, SpanSchema, StoredHit, WrittenDocument } from './schema';
import { byTime, compact, KEYWORD, pagingSort, readCount, readKind, readLinkArray, readNanos, readStatusCode, startRange, summariseSkipped } from './schemaSupport';
import { formatOtelMillisNanos, millisToNanos, parseIsoNanos, parseOtelMillisNanos } from './time';

const SCHEMA = 'otel';
const STATUS_NAMES = ['Unset', 'Ok', 'Error'] as const;
/** Suffix of the index that holds span events and logs, beside the spans index. */
export const OTEL_LOGS_SUFFIX = '-logs';

// ---- reading -------------------------------------------------------------------------------

/** `@timestamp` as the exporter writes it ("ms.ns"), or ISO 8601, or epoch ms as a number. */
export function readOtelTimestamp(value: unknown): bigint | undefined {
  // Negative or beyond 2^53 is no time the exporter writes: not read, rather than read wrong.
  if (typeof value === 'number' && value >= 0 && Number.isSafeInteger(Math.trunc(value))) {
    return millisToNanos(BigInt(Math.trunc(value)));
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  return parseOtelMillisNanos(value) ?? parseIsoNanos(value);
}

const OTEL_LINK_KEYS = { traceId: 'trace_id', spanId: 'span_id', traceState: 'trace_state', attributes: 'attributes', droppedAttributesCount: 'dropped_attributes_count' };

function readScope(source: JsonObject): LogicalSpan['scope'] {
  const scope = readPath(source, 'scope');
  if (!scope || typeof scope !== 'object') {
    return undefined;
  }
  const attributes = toAttributes(readPath(scope, 'attributes'));
  return {
    name: stringAt(scope, 'name') || undefined,
    version: stringAt(scope, 'version') || undefined,
    attributes: Object.keys(attributes).length > 0 ? attributes : undefined,
    schemaUrl: stringAt(scope, 'schema_url') || undefined,
  };
}

/** Span-event documents carry the event name and no span name, kind or duration. */
export function isOtelEventDocument(source: JsonObject): boolean {
  return readPath(source, 'event_name') !== undefined && readPath(source, 'name') === undefined && readPath(source, 'duration') === undefined;
}

export function otelDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const traceId = normaliseTraceId(readPath(source, 'trace_id'));
  const spanId = normaliseSpanId(readPath(source, 'span_id'));
  if (!traceId || !spanId) {
    return `document ${hit._index}/${hit._id} has no valid trace_id/span_id`;
  }
  const start = readOtelTimestamp(readPath(source, '@timestamp'));
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable @timestamp`;
  }
  const warnings: string[] = [];
  const durationNano = readNanos(readPath(source, 'duration'), 'ns');
  if (durationNano === undefined) {
    warnings.push('the document has no valid duration; shown as 0');
  }
  const name = stringAt(source, 'name');
  if (!name) {
    warnings.push('the document has no span name');
  }
  const resourceAttributes = toAttributes(readPath(source, 'resource.attributes'));
  const service = stringAt(source, 'resource.attributes.service.name');
  // A lone link object, not in a list, is read as a list of one.
  const links = readPath(source, 'links');
  return {
    traceId,
    spanId,
    parentSpanId: readParentSpanId(readPath(source, 'parent_span_id'), warnings),
    name: name ?? '',
    serviceName: service || UNKNOWN_SERVICE,
    kind: readKind(readPath(source, 'kind')),
    startTimeUnixNano: start,
    durationNano: durationNano ?? BigInt(0),
    statusCode: readStatusCode(readPath(source, 'status.code')),
    statusMessage: stringAt(source, 'status.message') || undefined,
    attributes: toAttributes(readPath(source, 'attributes')),
    resourceAttributes,
    resourceSchemaUrl: stringAt(source, 'resource.schema_url') || undefined,
    scope: readScope(source),
    traceState: stringAt(source, 'trace_state') || undefined,
    events: [],
    links: readLinkArray(links !== null && typeof links === 'object' && !Array.isArray(links) ? [links] : links, OTEL_LINK_KEYS, warnings, toAttributes),
    droppedAttributesCount: readCount(readPath(source, 'dropped_attributes_count')),
    droppedEventsCount: readCount(readPath(source, 'dropped_events_count')),
    droppedLinksCount: readCount(readPath(source, 'dropped_links_count')),
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

/** A span-event document -> the span it belongs to and the event. */
export function otelDocumentToEvent(hit: StoredHit): { spanId: string; event: SpanEvent } | undefined {
  const source = hit._source ?? {};
  const spanId = normaliseSpanId(readPath(source, 'span_id'));
  const time = readOtelTimestamp(readPath(source, '@timestamp'));
  const name = stringAt(source, 'event_name');
  if (!spanId || time === undefined || name === undefined) {
    return undefined;
  }
  const attributes = toAttributes(readPath(source, 'attributes'));
  // The exporter copies the event name into the attributes; the event itself did not carry it.
  if (attributes['event.name'] === name) {
    delete attributes['event.name'];
  }
  return { spanId, event: { timeUnixNano: time, name, attributes, droppedAttributesCount: readCount(readPath(source, 'dropped_attributes_count')) } };
}

/** Span-event documents attached to the spans they name (in time order); problems for unreadable ones. */
export function attachOtelEvents(spans: LogicalSpan[], hits: StoredHit[]): string[] {
  const eventsBySpan = new Map<string, SpanEvent[]>();
  const problems: string[] = [];
  for (const hit of hits) {
    const found = otelDocumentToEvent(hit);
    if (!found) {
      problems.push(`event document ${hit._index}/${hit._id} has no span_id, @timestamp or event_name`);
      continue;
    }
    const list = eventsBySpan.get(found.spanId);
    if (list) {
      list.push(found.event);
    } else {
      eventsBySpan.set(found.spanId, [found.event]);
    }
  }
  if (eventsBySpan.size > 0) {
    for (const span of spans) {
      const events = eventsBySpan.get(span.spanId);
      if (events) {
        span.events = [...span.events, ...events].sort(byTime);
      }
    }
  }
  return summariseSkipped(problems);
}

function readOtelHits(hits: StoredHit[]): ReadResult {
  const spans: LogicalSpan[] = [];
  const eventHits: StoredHit[] = [];
  const problems: string[] = [];
  for (const hit of hits) {
    if (isOtelEventDocument(hit._source ?? {})) {
      eventHits.push(hit);
      continue;
    }
    const span = otelDocumentToSpan(hit);
    if (typeof span === 'string') {
      problems.push(span);
    } else {
      spans.push(span);
    }
  }
  return { spans, warnings: [...summariseSkipped(problems), ...attachOtelEvents(spans, eventHits)] };
}

// ---- writing -------------------------------------------------------------------------------

function dataStream(type: 'traces' | 'logs'): JsonObject {
  return { type, dataset: 'generic.otel', namespace: 'default' };
}

function otelKindName(kind: SpanKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

function scopeDocument(scope: LogicalSpan['scope']): JsonObject | undefined {
  return scope ? compact({ name: scope.name, version: scope.version, attributes: scope.attributes, schema_url: scope.schemaUrl }) : undefined;
}

function resourceDocument(attributes: Attributes, schemaUrl?: string): JsonObject {
  return compact({ attributes, schema_url: schemaUrl });
}

export function spanToOtelDocument(span: LogicalSpan): JsonObject {
  return compact({
    '@timestamp': formatOtelMillisNanos(span.startTimeUnixNano),
    data_stream: dataStream('traces'),
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    trace_state: span.traceState,
    name: span.name,
    kind: otelKindName(span.kind),
    duration: span.durationNano === undefined ? undefined : Number(span.durationNano),
    attributes: span.attributes,
    links: span.links.length > 0 ? span.links.map(linkToOtel) : undefined,
    status: compact({ code: STATUS_NAMES[span.statusCode], message: span.statusMessage }),
    resource: resourceDocument(span.resourceAttributes, span.resourceSchemaUrl),
    scope: scopeDocument(span.scope),
    dropped_attributes_count: span.droppedAttributesCount,
    dropped_events_count: span.droppedEventsCount,
    dropped_links_count: span.droppedLinksCount,
  });
}

function linkToOtel(link: SpanLink): JsonObject {
  return compact({ trace_id: link.traceId, span_id: link.spanId, trace_state: link.traceState, attributes: link.attributes, dropped_attributes_count: link.droppedAttributesCount });
}

export function eventToOtelDocument(span: LogicalSpan, event: SpanEvent): JsonObject {
  return compact({
    '@timestamp': formatOtelMillisNanos(event.timeUnixNano),
    data_stream: dataStream('logs'),
    trace_id: span.traceId,
    span_id: span.spanId,
    event_name: event.name,
    attributes: { ...event.attributes, 'event.name': event.name },
    resource: resourceDocument(span.resourceAttributes, span.resourceSchemaUrl),
    scope: scopeDocument(span.scope),
    dropped_attributes_count: event.droppedAttributesCount,
  });
}

export function logToOtelDocument(record: LogicalLogRecord): JsonObject {
  const body = record.body === undefined || record.body === null ? undefined : typeof record.body === 'string' ? { text: record.body } : { structured: record.body };
  return compact({
    '@timestamp': formatOtelMillisNanos(record.timeUnixNano),
    observed_timestamp: record.observedTimeUnixNano === undefined ? undefined : formatOtelMillisNanos(record.observedTimeUnixNano),
    data_stream: dataStream('logs'),
    trace_id: record.traceId,
    span_id: record.spanId,
    severity_text: record.severityText,
    severity_number: record.severityNumber,
    body,
    event_name: record.eventName,
    attributes: record.attributes,
    resource: resourceDocument(record.resourceAttributes),
    scope: scopeDocument(record.scope),
  });
}

// ---- mapping and queries -------------------------------------------------------------------

/**
 * The explicit mapping that Elastic's otel-data templates give these fields, reduced to what
 * OpenSearch and Elasticsearch 7 support (no passthrough, no flattened): ids and enums as keyword,
 * `@timestamp` as date_nanos (it accepts the "ms.ns" string exactly).
 */
export function otelTemplateMapping(kind: 'spans' | 'logs'): JsonObject {
  const common = {
    '@timestamp': { type: 'date_nanos' },
    trace_id: KEYWORD,
    span_id: KEYWORD,
    data_stream: { properties: { type: KEYWORD, dataset: KEYWORD, namespace: KEYWORD } },
    resource: { properties: { schema_url: KEYWORD, attributes: { type: 'object', properties: { 'service.name': KEYWORD } } } },
    scope: { properties: { name: KEYWORD, version: KEYWORD, schema_url: KEYWORD } },
  };
  const spans = {
    parent_span_id: KEYWORD,
    trace_state: KEYWORD,
    name: KEYWORD,
    kind: KEYWORD,
    duration: { type: 'long' },
    status: { properties: { code: KEYWORD, message: KEYWORD } },
    links: { properties: { trace_id: KEYWORD, span_id: KEYWORD, trace_state: KEYWORD } },
    dropped_attributes_count: { type: 'long' },
    dropped_events_count: { type: 'long' },
    dropped_links_count: { type: 'long' },
  };
  const logs = {
    observed_timestamp: { type: 'date_nanos' },
    event_name: KEYWORD,
    severity_text: KEYWORD,
    severity_number: { type: 'byte' },
    body: { properties: { text: { type: 'text' } } },
  };
  return { properties: { ...common, ...(kind === 'spans' ? spans : logs) } };
}

function detectOtel(catalog: FieldCatalog): Detection {
  const evidence: string[] = [];
  for (const path of ['trace_id', 'span_id']) {
    if (!catalog.has(path)) {
      return { schema: SCHEMA, score: 0, evidence: [] };
    }
    evidence.push(path);
  }
  // BlueKing shares trace_id/span_id; its span_name/elapsed_time rule it out.
  if (catalog.has('span_name') || catalog.has('elapsed_time')) {
    return { schema: SCHEMA, score: 0, evidence: [] };
  }
  let score = 2;
  for (const marker of ['resource.attributes', 'duration', 'kind', 'name', 'status.code', 'scope.name', 'event_name', 'data_stream.dataset']) {
    if (catalog.has(marker) || hasPrefix(catalog, `${marker}.`)) {
      score += 1;
      evidence.push(marker);
    }
  }
  // Without resource attributes or the span trio, trace_id/span_id alone are too weak.
  const spanTrio = catalog.has('duration') && catalog.has('kind') && catalog.has('name');
  const eventDocs = catalog.has('event_name');
  return hasPrefix(catalog, 'resource.attributes.') || spanTrio || eventDocs ? { schema: SCHEMA, score, evidence } : { schema: SCHEMA, score: 0, evidence: [] };
}

export const otelSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'OpenTelemetry Collector elasticsearch exporter, mapping mode otel',
  paths: {
    traceId: 'trace_id',
    spanId: 'span_id',
    parentSpanId: 'parent_span_id',
    name: 'name',
    serviceName: 'resource.attributes.service.name',
    start: '@timestamp',
    duration: 'duration',
    statusCode: 'status.code',
  },
  eventDocumentField: 'event_name',
  logRecordFields: ['severity_text', 'severity_number', 'body'],
  search: {
    durations: [{ field: 'duration', unit: 'ns' }],
    start: { field: '@timestamp', unit: 'otelMillisString' },
    kind: { style: 'field', field: 'kind' },
    status: { style: 'field', field: 'status.code', error: ['Error'], ok: ['Ok'] },
    attributes: { style: 'fields', prefixes: [{ prefix: 'attributes.' }, { prefix: 'resource.attributes.' }] },
  },
  mapSource: (keys) => ['trace_id', 'span_id', 'parent_span_id', 'name', 'kind', '@timestamp', 'duration', 'status.code', 'resource.attributes.service.name', ...keys.map((key) => `attributes.${key}`)],
  detect: detectOtel,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, '@timestamp', 'otelMillisString', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, '@timestamp', 'span_id'),
  readHits: readOtelHits,
  attachEvents: attachOtelEvents,
  writeSpans(spans: LogicalSpan[], indexBase: string): WrittenDocument[] {
    const documents: WrittenDocument[] = [];
    for (const span of spans) {
      documents.push({ index: indexBase, document: spanToOtelDocument(span) });
      for (const event of span.events) {
        documents.push({ index: indexBase + OTEL_LOGS_SUFFIX, document: eventToOtelDocument(span, event) });
      }
    }
    return documents;
  },
  producerMapping(engine: EngineFlavor): MappingStyle {
    // Elastic's otel-data templates exist from Elasticsearch 8.16; elsewhere documents are mapped dynamically.
    return engine.distribution === 'elasticsearch' && (engine.major > 8 || (engine.major === 8 && engine.minor >= 16)) ? 'template' : 'dynamic';
  },
  indexSetups(indexBase: string, style: MappingStyle): IndexSetup[] {
    const mappings = (kind: 'spans' | 'logs') => (style === 'template' ? { mappings: otelTemplateMapping(kind) } : {});
    return [
      { index: indexBase, body: mappings('spans') },
      { index: indexBase + OTEL_LOGS_SUFFIX, body: mappings('logs') },
    ];
  },
};

// ---- logs ----------------------------------------------------------------------------------

const OTEL_LOG_PATHS: LogPaths = {
  traceId: 'trace_id',
  spanIds: ['span_id'],
  time: '@timestamp',
  timeUnit: 'otelMillisString',
  // Older exporter and Elasticsearch versions wrote body_text; `message` is an alias in otel-data.
  body: ['body.text', 'body.structured', 'body_text', 'body_structured', 'message'],
  severityText: 'severity_text',
  severityNumber: 'severity_number',
  service: ['resource.attributes.service.name'],
};

export function otelDocumentToLog(hit: StoredHit): LogicalLogRecord | string {
  const source = hit._source ?? {};
  const time = readOtelTimestamp(readPath(source, '@timestamp')) ?? readOtelTimestamp(readPath(source, 'observed_timestamp'));
  if (time === undefined) {
    return `log document ${hit._index}/${hit._id} has no readable @timestamp`;
  }
  const observed = readOtelTimestamp(readPath(source, 'observed_timestamp'));
  return {
    timeUnixNano: time,
    observedTimeUnixNano: observed,
    ...readLogIds(source, OTEL_LOG_PATHS),
    ...readSeverity(source, OTEL_LOG_PATHS),
    body: readLogBody(source, OTEL_LOG_PATHS),
    eventName: stringAt(source, 'event_name') || undefined,
    attributes: toAttributes(readPath(source, 'attributes')),
    resourceAttributes: toAttributes(readPath(source, 'resource.attributes')),
    scope: readScope(source),
  };
}

/** The exporter's logs in `otel` mode: records beside the span events of the same index. */
export const otelLogSchema: LogSchema = {
  name: SCHEMA,
  producer: otelSchema.producer,
  paths: OTEL_LOG_PATHS,
  // Span events are documents of their own here, with an event name and neither body nor severity.
  notLogs: { bool: { filter: [{ exists: { field: 'event_name' } }], must_not: (otelSchema.logRecordFields ?? []).map((field) => ({ exists: { field } })) } },
  detect: (catalog) => detectLogFields(catalog, ['trace_id', '@timestamp'], ['severity_text', 'severity_number', 'body.text', 'body.structured', 'body_text'], ['span_name']),
  readHit: otelDocumentToLog,
  writeLogs: (records, indexBase) => records.map((record) => ({ index: logsIndexOf(indexBase), document: logToOtelDocument(record) })),
  producerMapping: otelSchema.producerMapping,
  indexSetups: (indexBase, style) => [{ index: logsIndexOf(indexBase), body: style === 'template' ? { mappings: otelTemplateMapping('logs') } : {} }],
};
