/**
 * `jaeger`: Jaeger's Elasticsearch/OpenSearch span store (storage-schemas.md §3). Microsecond
 * times, nested typed tags, logs with an `event` field, references for parents and links, the
 * resource in `process`; kind, status, scope and trace state travel as well-known tags.
 */
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { normaliseSpanId, normaliseTraceId, readParentSpanId } from './ids';
import { type Attributes, type AttributeValue, type LogicalSpan, type SpanEvent, type SpanLink, type StatusCode, UNKNOWN_SERVICE } from './model';
import type { Detection, JsonObject, SpanSchema, StoredHit } from './schema';
import { compact, detectByFields, KEYWORD, pagingSort, readEachHit, readEventArray, readKind, readNanos, readString, requireIds, singleIndex, startRange, storedElements, warnLeftOut, writeEach } from './schemaSupport';

const SCHEMA = 'jaeger';
const NS_PER_US = BigInt(1000);

interface JaegerTag {
  key: string;
  type?: string;
  value?: unknown;
}

/** Typed tag values; older writers store every value as a string. Binary becomes hex text. */
export function tagValue(tag: JaegerTag): AttributeValue {
  const { type, value } = tag;
  if (type === 'bool') {
    return value === true || value === 'true';
  }
  if (type === 'int64' || type === 'float64') {
    const number = Number(value);
    return Number.isFinite(number) ? number : String(value);
  }
  if (type === 'binary' && typeof value === 'string') {
    return value;
  }
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

function tagsOf(value: unknown): JaegerTag[] {
  return Array.isArray(value) ? value.filter((tag): tag is JaegerTag => typeof tag?.key === 'string') : [];
}

/** Tags-as-fields (`tag.http@method`) join the nested tags, with `@` back to `.`. */
function tagFields(value: unknown): JaegerTag[] {
  if (!value || typeof value !== 'object') {
    return [];
  }
  return Object.entries(value).map(([key, item]) => ({ key: key.replace(/@/g, '.'), value: item, type: typeof item === 'boolean' ? 'bool' : typeof item === 'number' ? 'float64' : 'string' }));
}

const RESERVED_TAGS = new Set(['span.kind', 'error', 'otel.status_code', 'otel.status_description', 'otel.scope.name', 'otel.scope.version', 'w3c.tracestate']);

function statusFrom(tags: Map<string, AttributeValue>): StatusCode {
  const error = tags.get('error');
  if (error === true || error === 'true' || tags.get('otel.status_code') === 'ERROR') {
    return 2;
  }
  return tags.get('otel.status_code') === 'OK' ? 1 : 0;
}

function readLogs(value: unknown, warnings: string[]): SpanEvent[] {
  return readEventArray(value, (log): SpanEvent | undefined => {
    const time = readNanos(readPath(log, 'timestamp'), 'us');
    if (time === undefined) {
      return undefined;
    }
    const attributes: Attributes = {};
    let name = 'log';
    for (const field of tagsOf(readPath(log, 'fields'))) {
      if (field.key === 'event') {
        name = String(tagValue(field));
      } else {
        attributes[field.key] = tagValue(field);
      }
    }
    return { timeUnixNano: time, name, attributes };
  }, warnings);
}

/** The span id of the first reference of `refType` within the span's own trace. */
function firstInTrace(references: unknown[], traceId: string, refType: string): string | undefined {
  for (const reference of references) {
    if (readPath(reference, 'refType') === refType && normaliseTraceId(readPath(reference, 'traceID')) === traceId) {
      const spanId = normaliseSpanId(readPath(reference, 'spanID'));
      if (spanId) {
        return spanId;
      }
    }
  }
  return undefined;
}

/**
 * The parent as Jaeger's own readers find it: `parentSpanID`, else the first CHILD_OF reference in
 * the span's trace, else the first FOLLOWS_FROM reference in it (Jaeger stores a span whose parent
 * is also the target of one of its links with that one FOLLOWS_FROM reference and no parentSpanID).
 * Every reference but the CHILD_OF one that names the parent is a link; a FOLLOWS_FROM reference
 * that gives the parent stays a link too. One pass over the references for the links (this runs
 * for every span read); the parent search runs only where parentSpanID is missing. References
 * without valid ids are left out, said in `warnings`.
 */
function parentAndLinks(traceId: string, storedParent: string | undefined, references: unknown[], warnings: string[]): { parentSpanId?: string; links: SpanLink[] } {
  const parentSpanId = storedParent ?? firstInTrace(references, traceId, 'CHILD_OF') ?? firstInTrace(references, traceId, 'FOLLOWS_FROM');
  const links: SpanLink[] = [];
  let leftOut = 0;
  for (const reference of references) {
    const refTrace = normaliseTraceId(readPath(reference, 'traceID'));
    const refSpan = normaliseSpanId(readPath(reference, 'spanID'));
    if (!refTrace || !refSpan) {
      leftOut++;
    } else if (refSpan !== parentSpanId || refTrace !== traceId || readPath(reference, 'refType') !== 'CHILD_OF') {
      links.push({ traceId: refTrace, spanId: refSpan, attributes: {} });
    }
  }
  warnLeftOut(warnings, 'references', leftOut, references.length);
  return { parentSpanId, links };
}

function jaegerDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const ids = requireIds(hit, readPath(source, 'traceID'), readPath(source, 'spanID'));
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readNanos(readPath(source, 'startTime'), 'us');
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable startTime`;
  }
  const warnings: string[] = [];
  const duration = readNanos(readPath(source, 'duration'), 'us');
  if (duration === undefined) {
    warnings.push('the document has no valid duration; shown as 0');
  }
  // One pass over the tags (this runs for every span read): reserved keys aside, the rest are attributes.
  const special = new Map<string, AttributeValue>();
  const attributes: Attributes = {};
  for (const list of [tagsOf(readPath(source, 'tags')), tagFields(readPath(source, 'tag'))]) {
    for (const tag of list) {
      if (RESERVED_TAGS.has(tag.key)) {
        special.set(tag.key, tagValue(tag));
      } else {
        attributes[tag.key] = tagValue(tag);
      }
    }
  }
  const resourceAttributes: Attributes = {};
  const serviceName = readString(source, 'process.serviceName') ?? UNKNOWN_SERVICE;
  resourceAttributes['service.name'] = serviceName;
  for (const list of [tagsOf(readPath(source, 'process.tags')), tagFields(readPath(source, 'process.tag'))]) {
    for (const tag of list) {
      resourceAttributes[tag.key] = tagValue(tag);
    }
  }
  const references = storedElements(readPath(source, 'references'), 'references', warnings);
  const { parentSpanId, links } = parentAndLinks(ids.traceId, readParentSpanId(readPath(source, 'parentSpanID'), warnings), references, warnings);
  const scopeName = special.get('otel.scope.name');
  const scopeVersion = special.get('otel.scope.version');
  const description = special.get('otel.status_description');
  const traceState = special.get('w3c.tracestate');
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId,
    name: readString(source, 'operationName') ?? '',
    serviceName,
    kind: readKind(special.get('span.kind')),
    startTimeUnixNano: start,
    durationNano: duration ?? BigInt(0),
    statusCode: statusFrom(special),
    statusMessage: typeof description === 'string' && description !== '' ? description : undefined,
    attributes,
    resourceAttributes,
    scope: scopeName || scopeVersion ? { name: scopeName ? String(scopeName) : undefined, version: scopeVersion ? String(scopeVersion) : undefined } : undefined,
    traceState: typeof traceState === 'string' && traceState !== '' ? traceState : undefined,
    events: readLogs(readPath(source, 'logs'), warnings),
    links,
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

// ---- writing -------------------------------------------------------------------------------

/** Jaeger's typed tag: arrays and maps have no Jaeger type and travel as JSON strings. */
export function toTag(key: string, value: AttributeValue): JaegerTag {
  if (typeof value === 'boolean') {
    return { key, type: 'bool', value };
  }
  if (typeof value === 'number') {
    return { key, type: Number.isInteger(value) ? 'int64' : 'float64', value };
  }
  return { key, type: 'string', value: typeof value === 'string' ? value : JSON.stringify(value) };
}

function spanTags(span: LogicalSpan): JaegerTag[] {
  const tags = Object.entries(span.attributes).map(([key, value]) => toTag(key, value));
  if (span.scope?.name) {
    tags.push(toTag('otel.scope.name', span.scope.name));
  }
  if (span.scope?.version) {
    tags.push(toTag('otel.scope.version', span.scope.version));
  }
  if (span.kind !== 'unspecified') {
    tags.push(toTag('span.kind', span.kind));
  }
  if (span.statusCode === 2) {
    tags.push(toTag('error', true));
  } else if (span.statusCode === 1) {
    tags.push(toTag('otel.status_code', 'OK'));
  }
  if (span.statusMessage) {
    tags.push(toTag('otel.status_description', span.statusMessage));
  }
  if (span.traceState) {
    tags.push(toTag('w3c.tracestate', span.traceState));
  }
  return tags;
}

const micros = (ns: bigint): number => Number(ns / NS_PER_US);

export function spanToJaegerDocument(span: LogicalSpan): JsonObject {
  const references = [
    ...(span.parentSpanId ? [{ refType: 'CHILD_OF', traceID: span.traceId, spanID: span.parentSpanId }] : []),
    ...span.links.map((link) => ({ refType: 'FOLLOWS_FROM', traceID: link.traceId, spanID: link.spanId })),
  ];
  const { ['service.name']: _service, ...processTags } = span.resourceAttributes;
  return compact({
    traceID: span.traceId,
    spanID: span.spanId,
    parentSpanID: span.parentSpanId,
    flags: 1,
    operationName: span.name,
    references,
    startTime: micros(span.startTimeUnixNano),
    startTimeMillis: Math.floor(micros(span.startTimeUnixNano) / 1000),
    duration: micros(span.durationNano ?? BigInt(0)),
    tags: spanTags(span),
    logs: span.events.map((event) => ({ timestamp: micros(event.timeUnixNano), fields: [toTag('event', event.name), ...Object.entries(event.attributes).map(([key, value]) => toTag(key, value))] })),
    process: { serviceName: span.serviceName, tags: Object.entries(processTags).map(([key, value]) => toTag(key, value)) },
  });
}

const NESTED_TAGS = { type: 'nested', dynamic: false, properties: { key: KEYWORD, value: KEYWORD, type: KEYWORD } };

/** The mapping of Jaeger's jaeger-span index template. */
export const JAEGER_SPAN_MAPPING: JsonObject = {
  dynamic_templates: [{ span_tags_map: { mapping: KEYWORD, path_match: 'tag.*' } }, { process_tags_map: { mapping: KEYWORD, path_match: 'process.tag.*' } }],
  properties: {
    traceID: KEYWORD,
    parentSpanID: KEYWORD,
    spanID: KEYWORD,
    operationName: KEYWORD,
    startTime: { type: 'long' },
    startTimeMillis: { type: 'date', format: 'epoch_millis' },
    duration: { type: 'long' },
    flags: { type: 'integer' },
    logs: { type: 'nested', dynamic: false, properties: { timestamp: { type: 'long' }, fields: NESTED_TAGS } },
    process: { properties: { serviceName: KEYWORD, tag: { type: 'object' }, tags: NESTED_TAGS } },
    references: { type: 'nested', dynamic: false, properties: { refType: KEYWORD, traceID: KEYWORD, spanID: KEYWORD } },
    tag: { type: 'object' },
    tags: NESTED_TAGS,
  },
};

function detectJaeger(catalog: FieldCatalog): Detection {
  return detectByFields(SCHEMA, catalog, ['traceID', 'spanID', 'operationName', 'startTimeMillis'], ['process.serviceName', 'references', 'tags', 'duration']);
}

export const jaegerSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'Jaeger (collector with Elasticsearch/OpenSearch storage)',
  paths: { traceId: 'traceID', spanId: 'spanID', parentSpanId: 'parentSpanID', name: 'operationName', serviceName: 'process.serviceName', start: 'startTimeMillis', duration: 'duration', statusCode: 'tags' },
  search: {
    durations: [{ field: 'duration', unit: 'us' }],
    start: { field: 'startTime', unit: 'us' },
    kind: { style: 'jaeger' },
    status: { style: 'jaeger' },
    attributes: { style: 'jaeger' },
  },
  // Kind, status and peer attributes are among the span's tags (nested, or `tag.*` fields).
  mapSource: () => ['traceID', 'spanID', 'parentSpanID', 'operationName', 'references', 'startTime', 'duration', 'flags', 'tags', 'tag', 'process.serviceName'],
  detect: detectJaeger,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, 'startTimeMillis', 'millis', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, 'startTime', 'spanID'),
  readHits: (hits) => readEachHit(hits, jaegerDocumentToSpan),
  writeSpans: writeEach(spanToJaegerDocument),
  producerMapping: () => 'template',
  indexSetups: singleIndex(JAEGER_SPAN_MAPPING),
};
