/**
 * `otel-raw`: the OpenTelemetry Collector elasticsearch exporter in its `none` mode (original OTLP
 * names: `TraceId`, `Attributes.*`, `Events.<name>.*`, `Link` as a JSON string) and `raw` mode (the
 * same with attributes at the document root and no `Events.` prefix). storage-schemas.md §2.4-2.5.
 * Written in `none` mode, with flat dotted keys, as the exporter writes them.
 */
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId } from './ids';
import { type Attributes, type AttributeValue, type LogicalLogRecord, type LogicalSpan, type SpanEvent, type SpanLink, UNKNOWN_SERVICE } from './model';
import { detectLogFields, type LogPaths, type LogSchema, logsIndexOf, readLogBody, readLogIds, readSeverity } from './logSchema';
import type { Detection, JsonObject, SpanSchema, StoredHit } from './schema';
import { byTime, compact, detectByFields, flattenObject, pagingSort, readEachHit, readIso, readKind, readLinkArray, readNanos, readStatusCode, readString, requireIds, startRange, warnLeftOut, writeEach } from './schemaSupport';
import { formatIsoNanos } from './time';

const SCHEMA = 'otel-raw';
const FIXED = new Set(['@timestamp', 'EndTimestamp', 'Duration', 'TraceId', 'SpanId', 'ParentSpanId', 'Name', 'Kind', 'TraceStatus', 'TraceStatusDescription', 'Link', 'TraceState']);
const FIXED_PREFIXES = ['Resource.', 'Scope.', 'data_stream.', 'Attributes.', 'Events.'];

const LINK_KEYS = { traceId: 'traceID', spanId: 'spanID', attributes: 'attribute' };

/** `Link` is the links as JSON text; text that is not JSON is said in `warnings` and read as none. */
function readLinks(value: unknown, warnings: string[]): SpanLink[] {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      warnings.push('the stored links are text that is not JSON, and are left out');
      return [];
    }
  }
  return readLinkArray(parsed, LINK_KEYS, warnings, (raw) => flattenObject(raw));
}

/**
 * Events are keyed by name: each `<prefix><name>.time` key names an event, and the other keys under
 * `<prefix><name>.` are its attributes. Two events with one name on a span collide in the producer.
 * Events whose time cannot be read are left out, said in `warnings`; the document's own keys name
 * events too, as a time key holding an object is gone from the flattened keys.
 */
function readEvents(source: JsonObject, flat: Record<string, AttributeValue>, prefix: string, warnings: string[]): { events: SpanEvent[]; used: Set<string> } {
  const used = new Set<string>();
  const names = [...new Set([...Object.keys(flat), ...Object.keys(source)])]
    .filter((key) => key.startsWith(prefix) && key.endsWith('.time'))
    .map((key) => key.slice(prefix.length, -'.time'.length))
    .sort((a, b) => b.length - a.length);
  const events: SpanEvent[] = [];
  for (const name of names) {
    const time = readIso(flat[`${prefix}${name}.time`]);
    used.add(`${prefix}${name}.time`);
    const attributes: Attributes = {};
    for (const [key, value] of Object.entries(flat)) {
      if (key.startsWith(`${prefix}${name}.`) && !used.has(key)) {
        attributes[key.slice(prefix.length + name.length + 1)] = value;
        used.add(key);
      }
    }
    if (time !== undefined) {
      events.push({ timeUnixNano: time, name, attributes });
    }
  }
  warnLeftOut(warnings, 'events', names.length - events.length, names.length);
  return { events: events.sort(byTime), used };
}

function section(flat: Record<string, AttributeValue>, prefix: string): Attributes {
  return Object.fromEntries(Object.entries(flat).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
}

function otelRawDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const flat = flattenObject(source);
  const ids = requireIds(hit, flat.TraceId, flat.SpanId);
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readIso(flat['@timestamp']);
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable @timestamp`;
  }
  const warnings: string[] = [];
  const end = readIso(flat.EndTimestamp);
  // EndTimestamp keeps nanoseconds; Duration only microseconds.
  const duration = end !== undefined && end >= start ? end - start : readNanos(flat.Duration, 'us');
  if (duration === undefined) {
    warnings.push('the document has no valid EndTimestamp or Duration; shown as 0');
  }
  const noneMode = Object.keys(flat).some((key) => key.startsWith('Attributes.') || key.startsWith('Events.'));
  const { events, used } = readEvents(source, flat, noneMode ? 'Events.' : '', warnings);
  const attributes = noneMode ? section(flat, 'Attributes.') : Object.fromEntries(Object.entries(flat).filter(([key]) => !FIXED.has(key) && !FIXED_PREFIXES.some((p) => key.startsWith(p)) && !used.has(key)));
  const resourceAttributes = section(flat, 'Resource.');
  const scope = section(flat, 'Scope.');
  const { name: scopeName, version: scopeVersion, ...scopeAttributes } = scope;
  const service = resourceAttributes['service.name'];
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    // From the document, not the flattened keys: a damaged parent object must not vanish silently.
    parentSpanId: readParentSpanId(readPath(source, 'ParentSpanId'), warnings),
    name: typeof flat.Name === 'string' ? flat.Name : '',
    serviceName: typeof service === 'string' && service !== '' ? service : UNKNOWN_SERVICE,
    kind: readKind(flat.Kind),
    startTimeUnixNano: start,
    durationNano: duration ?? BigInt(0),
    statusCode: readStatusCode(flat.TraceStatus),
    statusMessage: readString(source, 'TraceStatusDescription'),
    attributes,
    resourceAttributes,
    scope: scopeName || scopeVersion ? { name: typeof scopeName === 'string' ? scopeName : undefined, version: typeof scopeVersion === 'string' ? scopeVersion : undefined, attributes: Object.keys(scopeAttributes).length > 0 ? scopeAttributes : undefined } : undefined,
    traceState: readString(source, 'TraceState'),
    events,
    links: readLinks(readPath(source, 'Link'), warnings),
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

// ---- writing (`none` mode) -----------------------------------------------------------------

const KIND_NAMES: Record<string, string> = { unspecified: 'SPAN_KIND_UNSPECIFIED', internal: 'SPAN_KIND_INTERNAL', server: 'SPAN_KIND_SERVER', client: 'SPAN_KIND_CLIENT', producer: 'SPAN_KIND_PRODUCER', consumer: 'SPAN_KIND_CONSUMER' };

function prefixed(prefix: string, attributes: Attributes | undefined): JsonObject {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([key, value]) => [`${prefix}${key}`, value]));
}

export function spanToOtelRawDocument(span: LogicalSpan): JsonObject {
  const end = span.startTimeUnixNano + (span.durationNano ?? BigInt(0));
  const events: JsonObject = {};
  for (const event of span.events) {
    Object.assign(events, { [`Events.${event.name}.time`]: formatIsoNanos(event.timeUnixNano) }, prefixed(`Events.${event.name}.`, event.attributes));
  }
  // Only the fixed fields are compacted: the exporter keeps attributes whose value is the empty string.
  const fixed = compact({
    '@timestamp': formatIsoNanos(span.startTimeUnixNano),
    EndTimestamp: formatIsoNanos(end),
    Duration: Number((span.durationNano ?? BigInt(0)) / BigInt(1000)),
    TraceId: span.traceId,
    SpanId: span.spanId,
    ParentSpanId: span.parentSpanId,
    Name: span.name,
    Kind: KIND_NAMES[span.kind],
    TraceStatus: span.statusCode,
    TraceStatusDescription: span.statusMessage,
    Link: JSON.stringify(span.links.map((link) => ({ traceID: link.traceId, spanID: link.spanId, attribute: link.attributes }))),
    'Scope.name': span.scope?.name,
    'Scope.version': span.scope?.version,
  });
  return { ...fixed, ...prefixed('Attributes.', span.attributes), ...events, ...prefixed('Resource.', span.resourceAttributes), ...prefixed('Scope.', span.scope?.attributes) };
}

export function logToOtelRawDocument(record: LogicalLogRecord): JsonObject {
  return compact({
    '@timestamp': formatIsoNanos(record.timeUnixNano),
    TraceId: record.traceId,
    SpanId: record.spanId,
    SeverityText: record.severityText,
    SeverityNumber: record.severityNumber,
    Body: record.body ?? undefined,
    ...prefixed('Attributes.', record.attributes),
    ...prefixed('Resource.', record.resourceAttributes),
    ...compact({ 'Scope.name': record.scope?.name, 'Scope.version': record.scope?.version }),
  });
}

function detectOtelRaw(catalog: FieldCatalog): Detection {
  return detectByFields(SCHEMA, catalog, ['TraceId', 'SpanId', 'EndTimestamp'], ['TraceStatus', 'Duration', 'Name', 'Kind', 'Attributes.*', 'Resource.*']);
}

export const otelRawSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'OpenTelemetry Collector elasticsearch exporter, mapping modes none and raw',
  paths: { traceId: 'TraceId', spanId: 'SpanId', parentSpanId: 'ParentSpanId', name: 'Name', serviceName: 'Resource.service.name', start: '@timestamp', duration: 'Duration', statusCode: 'TraceStatus' },
  search: {
    durations: [{ field: 'Duration', unit: 'us' }],
    start: { field: '@timestamp', unit: 'date' },
    end: { field: 'EndTimestamp' },
    kind: { style: 'field', field: 'Kind' },
    status: { style: 'field', field: 'TraceStatus', error: [2], ok: [1] },
    attributes: { style: 'fields', prefixes: [{ prefix: 'Attributes.' }, { prefix: 'Resource.' }] },
  },
  detect: detectOtelRaw,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, '@timestamp', 'date', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, '@timestamp', 'SpanId'),
  readHits: (hits) => readEachHit(hits, otelRawDocumentToSpan),
  writeSpans: writeEach(spanToOtelRawDocument),
  // Without a template the exporter's documents are mapped dynamically on every engine.
  producerMapping: () => 'dynamic',
  indexSetups: (indexBase) => [
    { index: indexBase, body: {} },
    { index: `${indexBase}-logs`, body: {} },
  ],
};

// ---- logs ----------------------------------------------------------------------------------

const OTEL_RAW_LOG_PATHS: LogPaths = {
  traceId: 'TraceId',
  spanIds: ['SpanId'],
  time: '@timestamp',
  timeUnit: 'date',
  body: ['Body'],
  severityText: 'SeverityText',
  severityNumber: 'SeverityNumber',
  service: ['Resource.service.name'],
};

function otelRawDocumentToLog(hit: StoredHit): LogicalLogRecord | string {
  const source = hit._source ?? {};
  const flat = flattenObject(source);
  const time = readIso(flat['@timestamp']);
  if (time === undefined) {
    return `log document ${hit._index}/${hit._id} has no readable @timestamp`;
  }
  const scope = section(flat, 'Scope.');
  return {
    timeUnixNano: time,
    ...readLogIds(source, OTEL_RAW_LOG_PATHS),
    ...readSeverity(source, OTEL_RAW_LOG_PATHS),
    body: readLogBody(source, OTEL_RAW_LOG_PATHS),
    attributes: section(flat, 'Attributes.'),
    resourceAttributes: section(flat, 'Resource.'),
    scope: typeof scope.name === 'string' ? { name: scope.name, version: typeof scope.version === 'string' ? scope.version : undefined } : undefined,
  };
}

/** The exporter's logs in `none` mode (`logs-generic-default`), mapped dynamically. */
export const otelRawLogSchema: LogSchema = {
  name: SCHEMA,
  producer: otelRawSchema.producer,
  paths: OTEL_RAW_LOG_PATHS,
  detect: (catalog) => detectLogFields(catalog, ['TraceId', '@timestamp'], ['SeverityText', 'SeverityNumber', 'Body'], ['EndTimestamp']),
  readHit: otelRawDocumentToLog,
  writeLogs: (records, indexBase) => records.map((record) => ({ index: logsIndexOf(indexBase), document: logToOtelRawDocument(record) })),
  producerMapping: () => 'dynamic',
  indexSetups: (indexBase) => [{ index: logsIndexOf(indexBase), body: {} }],
};
