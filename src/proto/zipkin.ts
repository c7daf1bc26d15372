/**
 * `zipkin`: Zipkin's Elasticsearch storage (storage-schemas.md §6.1). Microsecond times, string
 * tags (not indexed; `_q` holds `key` and `key=value` for search), annotations for events, the
 * local endpoint for the service. Zipkin has no resource, scope split or links.
 */
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { normaliseSpanId } from './ids';
import { type Attributes, type LogicalSpan, type SpanEvent, type SpanKind, type StatusCode, UNKNOWN_SERVICE } from './model';
import type { Detection, JsonObject, SpanSchema, StoredHit } from './schema';
import { attributeText, compact, detectByFields, KEYWORD, pagingSort, readEachHit, readEventArray, readNanos, readString, requireIds, singleIndex, startRange, writeEach } from './schemaSupport';

const SCHEMA = 'zipkin';
const NS_PER_US = BigInt(1000);
const RESERVED = new Set(['error', 'otel.status_code', 'otel.status_description', 'otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version']);

function readKind(value: unknown): SpanKind {
  const kind = typeof value === 'string' ? value.toLowerCase() : '';
  return kind === 'server' || kind === 'client' || kind === 'producer' || kind === 'consumer' ? kind : 'internal';
}

function readTags(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {};
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, typeof item === 'string' ? item : JSON.stringify(item)]));
}

/** Any `error` tag marks an error (its value is the message); else `otel.status_code`. */
function statusOf(tags: Record<string, string>): { code: StatusCode; message?: string } {
  if ('error' in tags || tags['otel.status_code'] === 'ERROR') {
    const message = tags['otel.status_description'] || (tags.error && tags.error !== 'true' ? tags.error : undefined);
    return { code: 2, message };
  }
  return { code: tags['otel.status_code'] === 'OK' ? 1 : 0, message: tags['otel.status_description'] || undefined };
}

function readAnnotations(value: unknown): SpanEvent[] {
  return readEventArray(value, (annotation): SpanEvent | undefined => {
    const time = readNanos(readPath(annotation, 'timestamp'), 'us');
    const name = readString(annotation, 'value');
    return time === undefined || name === undefined ? undefined : { timeUnixNano: time, name, attributes: {} };
  });
}

function zipkinDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const ids = requireIds(hit, readPath(source, 'traceId'), readPath(source, 'id'));
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readNanos(readPath(source, 'timestamp'), 'us');
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable timestamp`;
  }
  const warnings: string[] = [];
  const duration = readNanos(readPath(source, 'duration'), 'us');
  if (duration === undefined) {
    warnings.push('the document has no valid duration; shown as 0');
  }
  const tags = readTags(readPath(source, 'tags'));
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(tags)) {
    if (!RESERVED.has(key)) {
      attributes[key] = value;
    }
  }
  const status = statusOf(tags);
  const serviceName = readString(source, 'localEndpoint.serviceName') ?? UNKNOWN_SERVICE;
  const scopeName = tags['otel.scope.name'] ?? tags['otel.library.name'];
  const scopeVersion = tags['otel.scope.version'] ?? tags['otel.library.version'];
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId: normaliseSpanId(readPath(source, 'parentId')),
    name: readString(source, 'name') ?? '',
    serviceName,
    kind: readKind(readPath(source, 'kind')),
    startTimeUnixNano: start,
    durationNano: duration ?? BigInt(0),
    statusCode: status.code,
    statusMessage: status.message,
    attributes,
    resourceAttributes: { 'service.name': serviceName },
    scope: scopeName || scopeVersion ? { name: scopeName, version: scopeVersion } : undefined,
    events: readAnnotations(readPath(source, 'annotations')),
    links: [],
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

// ---- writing -------------------------------------------------------------------------------

const micros = (ns: bigint): number => Number(ns / NS_PER_US);

function zipkinTags(span: LogicalSpan): Record<string, string> {
  const tags: Record<string, string> = Object.fromEntries(Object.entries(span.attributes).map(([key, value]) => [key, attributeText(value)]));
  if (span.scope?.name) {
    tags['otel.scope.name'] = span.scope.name;
  }
  if (span.scope?.version) {
    tags['otel.scope.version'] = span.scope.version;
  }
  if (span.statusCode === 2) {
    tags['otel.status_code'] = 'ERROR';
    tags.error = span.statusMessage ?? '';
  } else if (span.statusCode === 1) {
    tags['otel.status_code'] = 'OK';
  }
  if (span.statusMessage) {
    tags['otel.status_description'] = span.statusMessage;
  }
  return tags;
}

export function spanToZipkinDocument(span: LogicalSpan): JsonObject {
  const tags = zipkinTags(span);
  return compact({
    traceId: span.traceId,
    id: span.spanId,
    parentId: span.parentSpanId,
    kind: span.kind === 'internal' || span.kind === 'unspecified' ? undefined : span.kind.toUpperCase(),
    name: span.name,
    timestamp: micros(span.startTimeUnixNano),
    timestamp_millis: Math.floor(micros(span.startTimeUnixNano) / 1000),
    duration: micros(span.durationNano ?? BigInt(0)),
    localEndpoint: { serviceName: span.serviceName },
    annotations: span.events.length > 0 ? span.events.map((event) => ({ timestamp: micros(event.timeUnixNano), value: event.name })) : undefined,
    tags,
    _q: Object.entries(tags).flatMap(([key, value]) => [key, `${key}=${value}`]),
  });
}

/** The mapping of Zipkin's zipkin:span template (ES 7+): tags and annotations are not indexed. */
export const ZIPKIN_SPAN_MAPPING: JsonObject = {
  _source: { excludes: ['_q'] },
  dynamic_templates: [{ strings: { mapping: { type: 'keyword', norms: false, ignore_above: 256 }, match_mapping_type: 'string', match: '*' } }],
  properties: {
    traceId: KEYWORD,
    name: KEYWORD,
    localEndpoint: { type: 'object', dynamic: false, properties: { serviceName: KEYWORD } },
    remoteEndpoint: { type: 'object', dynamic: false, properties: { serviceName: KEYWORD } },
    timestamp_millis: { type: 'date', format: 'epoch_millis' },
    duration: { type: 'long' },
    annotations: { enabled: false },
    tags: { enabled: false },
    _q: KEYWORD,
  },
};

function detectZipkin(catalog: FieldCatalog): Detection {
  return detectByFields(SCHEMA, catalog, ['traceId', 'localEndpoint.serviceName'], ['timestamp_millis', '_q', 'id', 'parentId']);
}

export const zipkinSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'Zipkin (zipkin-storage/elasticsearch)',
  paths: { traceId: 'traceId', spanId: 'id', parentSpanId: 'parentId', name: 'name', serviceName: 'localEndpoint.serviceName', start: 'timestamp_millis', duration: 'duration', statusCode: '_q' },
  search: {
    durations: [{ field: 'duration', unit: 'us' }],
    start: { field: 'timestamp', unit: 'us' },
    status: { style: 'zipkin' },
    attributes: { style: 'zipkin' },
  },
  detect: detectZipkin,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, 'timestamp_millis', 'millis', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, 'timestamp_millis', 'id'),
  readHits: (hits) => readEachHit(hits, zipkinDocumentToSpan),
  writeSpans: writeEach(spanToZipkinDocument),
  producerMapping: () => 'template',
  indexSetups: singleIndex(ZIPKIN_SPAN_MAPPING),
};
