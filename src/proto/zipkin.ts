/**
 * `zipkin`: Zipkin's Elasticsearch storage (storage-schemas.md §6.1), as zipkin-server 3.x writes
 * it. Microsecond times; span and service names lower-cased by Zipkin's model (its query API
 * lowers what is typed the same way, hence `namesLowerCased`); string tags (not indexed: `_q` holds
 * annotation values and the `key` and `key=value` of tags up to 256 characters, for search);
 * annotations for events; the local endpoint names the service. Endpoint addresses, the remote
 * service and the `otel.dropped_*_count` tags read as the OpenTelemetry attributes and counts of
 * the Zipkin -> OTLP mapping. Brave's shared spans (a client and a server half with one id, the
 * server half `shared: true`) are both shown: the server half gets a display id of its own.
 * Zipkin has no resource, scope split or links.
 */
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId, SHARED_SPAN_SUFFIX, storedSpanId } from './ids';
import { type Attributes, type LogicalSpan, type SpanEvent, type SpanKind, type StatusCode, UNKNOWN_SERVICE } from './model';
import type { Detection, JsonObject, SpanSchema, StoredHit } from './schema';
import { attributeText, compact, detectByFields, KEYWORD, pagingSort, readEachHit, readEventArray, readNanos, readString, requireIds, singleIndex, startRange, writeEach } from './schemaSupport';

const SCHEMA = 'zipkin';
const NS_PER_US = BigInt(1000);
const STATUS_TAGS = ['error', 'otel.status_code', 'otel.status_description'];
const SCOPE_TAGS = ['otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version'];
/** The tags OpenTelemetry's Zipkin exporters write for the SDK's dropped counts. */
const DROPPED_TAGS = { attributes: 'otel.dropped_attributes_count', events: 'otel.dropped_events_count', links: 'otel.dropped_links_count' } as const;
const RESERVED = new Set([...STATUS_TAGS, ...SCOPE_TAGS, ...Object.values(DROPPED_TAGS)]);
/** BulkIndexWriter leaves longer annotation values and `key=value` tags out of `_q`. */
const SHORT_STRING_LENGTH = 256;
/** The stored span id of a shared server half, which its display id hides. */
export const ZIPKIN_SPAN_ID = 'zipkin.span_id';

/** Zipkin lower-cases service and span names with Java's `toLowerCase(Locale.ROOT)`. */
const zipkinName = (name: string) => name.toLowerCase();

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

function readCountTag(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;
}

function readAnnotations(value: unknown, warnings: string[]): SpanEvent[] {
  return readEventArray(value, (annotation): SpanEvent | undefined => {
    const time = readNanos(readPath(annotation, 'timestamp'), 'us');
    const name = readString(annotation, 'value');
    return time === undefined || name === undefined ? undefined : { timeUnixNano: time, name, attributes: {} };
  }, warnings);
}

interface Endpoint {
  serviceName?: string;
  address?: string;
  port?: number;
}

/** An endpoint's service, address (IPv4 preferred, as the Collector's mapping does) and port. */
function readEndpoint(value: unknown, which: 'local' | 'remote', warnings: string[]): Endpoint {
  const ipv4 = readString(value, 'ipv4');
  const ipv6 = readString(value, 'ipv6');
  const port = readPath(value, 'port');
  if (ipv4 && ipv6) {
    warnings.push(`the ${which} endpoint also has the IPv6 address ${ipv6}; network.${which === 'local' ? 'local' : 'peer'}.address shows its IPv4 address`);
  }
  return { serviceName: readString(value, 'serviceName'), address: ipv4 ?? ipv6, port: typeof port === 'number' && Number.isInteger(port) && port > 0 ? port : undefined };
}

/** Remote and local endpoints as OpenTelemetry attributes; tags of the same name win (spec: Zipkin -> OTLP). */
function addEndpointAttributes(attributes: Attributes, kind: SpanKind, local: Endpoint, remote: Endpoint): void {
  const put = (key: string, value: string | number | undefined) => {
    if (value !== undefined && !(key in attributes)) {
      attributes[key] = value;
    }
  };
  put('peer.service', remote.serviceName);
  put('network.peer.address', remote.address);
  put('network.peer.port', remote.port);
  if (kind === 'client' || kind === 'producer') {
    put('server.address', remote.address);
    put('server.port', remote.port);
  }
  put('network.local.address', local.address);
  put('network.local.port', local.port);
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
  const kind = readKind(readPath(source, 'kind'));
  addEndpointAttributes(attributes, kind, readEndpoint(readPath(source, 'localEndpoint'), 'local', warnings), readEndpoint(readPath(source, 'remoteEndpoint'), 'remote', warnings));
  const status = statusOf(tags);
  const serviceName = readString(source, 'localEndpoint.serviceName') ?? UNKNOWN_SERVICE;
  const scopeName = tags['otel.scope.name'] ?? tags['otel.library.name'];
  const scopeVersion = tags['otel.scope.version'] ?? tags['otel.library.version'];
  const span: LogicalSpan = {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId: readParentSpanId(readPath(source, 'parentId'), warnings),
    name: readString(source, 'name') ?? '',
    serviceName,
    kind,
    startTimeUnixNano: start,
    durationNano: duration ?? BigInt(0),
    statusCode: status.code,
    statusMessage: status.message,
    attributes,
    resourceAttributes: { 'service.name': serviceName },
    scope: scopeName || scopeVersion ? { name: scopeName, version: scopeVersion } : undefined,
    events: readAnnotations(readPath(source, 'annotations'), warnings),
    links: [],
    droppedAttributesCount: readCountTag(tags[DROPPED_TAGS.attributes]),
    droppedEventsCount: readCountTag(tags[DROPPED_TAGS.events]),
    droppedLinksCount: readCountTag(tags[DROPPED_TAGS.links]),
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
  return readPath(source, 'shared') === true ? asServerHalf(span) : span;
}

/**
 * The server half of a shared span under a display id of its own, as a child of the client half,
 * which keeps the stored id (and with it the stored parent); the stored id stays as an attribute.
 */
function asServerHalf(span: LogicalSpan): LogicalSpan {
  const storedId = span.spanId;
  span.source.warnings.push(`shares its span id ${storedId} with the client span of this call (a Brave-style shared span); shown under it with its own id`);
  return { ...span, spanId: `${storedId}${SHARED_SPAN_SUFFIX}`, parentSpanId: storedId, attributes: { ...span.attributes, [ZIPKIN_SPAN_ID]: storedId } };
}

/**
 * Spans whose stored parent is a shared id run on the server side, so they hang under the server
 * half. Run once over the whole trace (finishTrace): a child may be read in another page than its
 * server half.
 */
function underServerHalves(spans: LogicalSpan[]): void {
  const serverHalves = new Map<string, string>();
  for (const span of spans) {
    if (span.parentSpanId !== undefined && span.spanId === `${span.parentSpanId}${SHARED_SPAN_SUFFIX}`) {
      serverHalves.set(span.parentSpanId, span.spanId);
    }
  }
  if (serverHalves.size === 0) {
    return;
  }
  for (const span of spans) {
    const serverHalf = span.parentSpanId === undefined ? undefined : serverHalves.get(span.parentSpanId);
    if (serverHalf !== undefined && serverHalf !== span.spanId) {
      span.parentSpanId = serverHalf;
    }
  }
}

// ---- writing -------------------------------------------------------------------------------

const micros = (ns: bigint): number => Number(ns / NS_PER_US);
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-f:.]+$/i;

/** An address as Zipkin's endpoint holds it: an IPv4 or IPv6 literal, never a host name. */
function endpointAddress(value: unknown): JsonObject | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  if (IPV4.test(value)) {
    return { ipv4: value };
  }
  return value.includes(':') && IPV6.test(value) ? { ipv6: value } : undefined;
}

const endpointPort = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 65535 ? value : undefined);

const isServerHalf = (span: LogicalSpan): boolean => span.spanId.endsWith(SHARED_SPAN_SUFFIX) && span.attributes[ZIPKIN_SPAN_ID] === storedSpanId(span.spanId);

/** The endpoints the attributes describe, and the attribute keys they hold (not written as tags again). */
function zipkinEndpoints(span: LogicalSpan): { local: JsonObject; remote: JsonObject; held: Set<string> } {
  const attributes = span.attributes;
  const held = new Set<string>();
  const take = <T>(key: string, read: (value: unknown) => T | undefined): T | undefined => {
    const value = read(attributes[key]);
    if (value !== undefined) {
      held.add(key);
    }
    return value;
  };
  const peerService = take('peer.service', (value) => (typeof value === 'string' && value !== '' ? zipkinName(value) : undefined));
  const peerAddress = take('network.peer.address', endpointAddress);
  const peerPort = take('network.peer.port', endpointPort);
  if (span.kind === 'client' || span.kind === 'producer') {
    // The reader derives server.* from the remote endpoint of these kinds: equal values are that.
    if (peerAddress && attributes['server.address'] === attributes['network.peer.address']) {
      held.add('server.address');
    }
    if (peerPort !== undefined && attributes['server.port'] === peerPort) {
      held.add('server.port');
    }
  }
  const local = { serviceName: zipkinName(span.serviceName), ...take('network.local.address', endpointAddress), port: take('network.local.port', endpointPort) };
  const remote = { serviceName: peerService, ...peerAddress, port: peerPort };
  if (isServerHalf(span)) {
    held.add(ZIPKIN_SPAN_ID);
  }
  return { local: compact(local), remote: compact(remote), held };
}

function zipkinTags(span: LogicalSpan, held: Set<string>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (!held.has(key)) {
      tags[key] = attributeText(value);
    }
  }
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
  const dropped: Array<[string, number | undefined]> = [
    [DROPPED_TAGS.attributes, span.droppedAttributesCount],
    [DROPPED_TAGS.events, span.droppedEventsCount],
    [DROPPED_TAGS.links, span.droppedLinksCount],
  ];
  for (const [key, count] of dropped) {
    if (count) {
      tags[key] = String(count);
    }
  }
  return tags;
}

/** `_q` as BulkIndexWriter fills it: short annotation values, then each short tag's key and key=value. */
function searchTerms(annotations: string[], tags: Record<string, string>): string[] | undefined {
  const terms = annotations.filter((value) => value.length <= SHORT_STRING_LENGTH);
  for (const [key, value] of Object.entries(tags)) {
    if (key.length + value.length + 1 <= SHORT_STRING_LENGTH) {
      terms.push(key, `${key}=${value}`);
    }
  }
  return terms.length > 0 ? terms : undefined;
}

export function spanToZipkinDocument(span: LogicalSpan): JsonObject {
  const { local, remote, held } = zipkinEndpoints(span);
  const tags = zipkinTags(span, held);
  const serverHalf = isServerHalf(span);
  const annotations = span.events.map((event) => ({ timestamp: micros(event.timeUnixNano), value: event.name }));
  return compact({
    traceId: span.traceId,
    // The stored parent of a shared server half is not kept; reading puts it under the client half anyway.
    parentId: serverHalf ? undefined : storedSpanId(span.parentSpanId),
    id: storedSpanId(span.spanId),
    kind: span.kind === 'internal' || span.kind === 'unspecified' ? undefined : span.kind.toUpperCase(),
    name: zipkinName(span.name),
    timestamp: micros(span.startTimeUnixNano),
    timestamp_millis: Math.floor(micros(span.startTimeUnixNano) / 1000),
    duration: micros(span.durationNano ?? BigInt(0)),
    localEndpoint: local,
    remoteEndpoint: remote,
    annotations: annotations.length > 0 ? annotations : undefined,
    tags,
    shared: serverHalf ? true : undefined,
    _q: searchTerms(annotations.map((annotation) => annotation.value), tags),
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
    kind: { style: 'field', field: 'kind', missingIs: 'internal' },
    status: { style: 'zipkin' },
    attributes: { style: 'zipkin' },
    namesLowerCased: true,
  },
  detect: detectZipkin,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, 'timestamp_millis', 'millis', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, 'timestamp_millis', 'id'),
  readHits: (hits) => readEachHit(hits, zipkinDocumentToSpan),
  finishTrace: underServerHalves,
  writeSpans: writeEach(spanToZipkinDocument),
  producerMapping: () => 'template',
  indexSetups: singleIndex(ZIPKIN_SPAN_MAPPING),
};
