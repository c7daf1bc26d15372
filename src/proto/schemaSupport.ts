/**
 * Pieces every schema file shares: time-range clauses and paging sorts chosen from the mapping
 * actually found, reading typed values out of `_source`, and the document-level skip accounting.
 */
import { readPath, toAttributes } from './attributes';
import { exactPath, type FieldCatalog, hasPrefix } from './fieldCatalog';
import { normaliseSpanId, normaliseTraceId } from './ids';
import type { Attributes, AttributeValue, LogicalSpan, SpanEvent, SpanKind, SpanLink, StatusCode } from './model';
import { otlpKind, otlpStatusCode } from './otlp';
import type { Detection, JsonObject, ReadResult, SpanSchema, StoredHit } from './schema';
import { microsToNanos, millisToNanos, nanosToMillis, parseIsoNanos } from './time';

/** How a schema stores its start time, so a range can be expressed in the stored unit. */
export type StartUnit = 'date' | 'micros' | 'millis' | 'otelMillisString';

const DATE_TYPES = new Set(['date', 'date_nanos']);
const NUMBER_TYPES = new Set(['long', 'integer', 'double', 'float', 'scaled_float', 'unsigned_long']);

/**
 * A start-time range on `field` in epoch nanoseconds: epoch_millis on date fields, the stored unit
 * on numeric fields, and millisecond text on keyword fields holding otel "ms.ns". Undefined when
 * the mapping cannot filter the field by time (the caller must not search it unfiltered silently).
 */
export function startRange(catalog: FieldCatalog, field: string, unit: StartUnit, fromNs: bigint, toNs: bigint): JsonObject | undefined {
  const type = catalog.get(field)?.type;
  const fromMs = Math.floor(nanosToMillis(fromNs));
  const toMs = Math.floor(nanosToMillis(toNs));
  if (type && DATE_TYPES.has(type)) {
    return { range: { [field]: { gte: fromMs, lte: toMs, format: 'epoch_millis' } } };
  }
  if (type && NUMBER_TYPES.has(type)) {
    const scale = unit === 'micros' ? BigInt(1000) : unit === 'millis' ? BigInt(1_000_000) : undefined;
    return scale ? { range: { [field]: { gte: Number(fromNs / scale), lte: Number(toNs / scale) } } } : undefined;
  }
  const keyword = exactPath(catalog, field);
  return unit === 'otelMillisString' && keyword ? otelTextRange(keyword, fromMs, toMs) : undefined;
}

/** Epoch milliseconds have 13 digits from 2001-09-09 to 2286-11-20: the texts of every live producer. */
const OTEL_TEXT_COMMON_DIGITS = 13;

/**
 * Whole milliseconds `fromMs` to `toMs` on a keyword holding "ms.ns" text. Text compares as a time
 * only among texts with as many millisecond digits, so the range is cut where the digit count
 * changes, and every piece but the 13-digit one (where all current times are) is held to its
 * digit count by a regexp: a range reaching back before 2001 or beyond 2286 matches exactly those
 * times, not every 13-digit time that sorts between its bounds. The upper bound `<ms>/` takes every
 * fraction of the last millisecond ('/' sorts after '.' and before the digits). The text has no
 * sign, so a range wholly before 1970 matches nothing.
 */
export function otelTextRange(field: string, fromMs: number, toMs: number): JsonObject {
  const first = Math.max(0, fromMs);
  if (toMs < first) {
    return { bool: { must_not: [{ match_all: {} }] } };
  }
  const pieces: JsonObject[] = [];
  for (let digits = String(first).length; digits <= String(toMs).length; digits++) {
    const low = Math.max(first, digits === 1 ? 0 : 10 ** (digits - 1));
    const high = Math.min(toMs, 10 ** digits - 1);
    const range = { range: { [field]: { gte: String(low), lt: `${high}/` } } };
    pieces.push(digits === OTEL_TEXT_COMMON_DIGITS ? range : { bool: { filter: [range, { regexp: { [field]: `[0-9]{${digits}}(\\.[0-9]*)?` } }] } });
  }
  return pieces.length === 1 ? pieces[0] : { bool: { should: pieces, minimum_should_match: 1 } };
}

/**
 * Sort keys for search_after paging through one trace: start, then span id. Not `_id`: Elasticsearch
 * 8 and later refuse its fielddata by default. Documents may tie on both keys (a Zipkin span's
 * client and server halves, duplicates), so the pager never ends a page inside a run of equal keys.
 */
export function pagingSort(catalog: FieldCatalog, startField: string, spanIdField: string): JsonObject[] {
  const type = catalog.get(startField)?.type;
  const sort: JsonObject[] = [];
  if (type && DATE_TYPES.has(type)) {
    // numeric_type keeps date_nanos sort values in milliseconds, which JSON numbers carry exactly.
    sort.push({ [startField]: { order: 'asc', numeric_type: 'date' } });
  } else if (type && NUMBER_TYPES.has(type)) {
    sort.push({ [startField]: 'asc' });
  } else if (exactPath(catalog, startField)) {
    sort.push({ [exactPath(catalog, startField)!]: 'asc' });
  }
  const spanId = exactPath(catalog, spanIdField);
  if (spanId) {
    sort.push({ [spanId]: { order: 'asc', unmapped_type: 'keyword' } });
  }
  return sort;
}

/** A count of nanoseconds from a stored number or numeric string in the given unit. */
export function readNanos(value: unknown, unit: 'ns' | 'us' | 'ms'): bigint | undefined {
  let whole: bigint | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    whole = BigInt(value);
  } else if (typeof value === 'string' && /^\d+$/.test(value)) {
    whole = BigInt(value);
  }
  if (whole === undefined) {
    return undefined;
  }
  return unit === 'ns' ? whole : unit === 'us' ? microsToNanos(whole) : millisToNanos(whole);
}

export function readIso(value: unknown): bigint | undefined {
  return typeof value === 'string' ? parseIsoNanos(value) : undefined;
}

export function readKind(value: unknown): SpanKind {
  return typeof value === 'number' || typeof value === 'string' ? otlpKind(value) : 'unspecified';
}

/** A stored status: what OTLP allows (codes or names), anything else is unset. */
export function readStatusCode(value: unknown): StatusCode {
  return typeof value === 'number' || typeof value === 'string' ? otlpStatusCode(value) : 0;
}

export function readString(source: unknown, path: string): string | undefined {
  const value = readPath(source, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readCount(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** Every key of `source` that starts with `prefix`, flattened, as attributes with the prefix removed. */
export function prefixedAttributes(source: JsonObject, prefix: string, decodeKey: (key: string) => string = (key) => key): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(flattenObject(source))) {
    if (key.startsWith(prefix)) {
      attributes[decodeKey(key.slice(prefix.length))] = value;
    }
  }
  return attributes;
}

/**
 * Nested objects to dotted keys (`{a:{b:1}}` -> `{"a.b":1}`), keeping arrays whole. Used where the
 * producer expands attribute keys into objects, so the original dotted keys come back.
 */
export function flattenObject(value: unknown, prefix = '', into: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return into;
  }
  for (const [key, item] of Object.entries(value)) {
    const path = prefix + key;
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      flattenObject(item, `${path}.`, into);
    } else {
      const converted = toAttributes({ v: item }).v;
      if (converted !== undefined) {
        into[path] = converted;
      }
    }
  }
  return into;
}

/** Dotted keys to nested objects, as a producer that expands dots would write them. */
export function nestObject(attributes: Attributes): JsonObject {
  const root: JsonObject = {};
  for (const [key, value] of Object.entries(attributes)) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      node = (next && typeof next === 'object' && !Array.isArray(next) ? next : (node[part] = {})) as JsonObject;
    }
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

/** Attribute values as text, for schemas that store every tag as a string. */
export function attributeText(value: AttributeValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Drop undefined values, empty strings and empty objects, as producers omit them. */
export function compact(document: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(document)) {
    if (value === undefined || value === '') {
      continue;
    }
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) {
      continue;
    }
    result[key] = value;
  }
  return result;
}

export function summariseSkipped(problems: string[]): string[] {
  if (problems.length === 0) {
    return [];
  }
  const examples = problems.slice(0, 3).join('; ');
  return [`${problems.length} document${problems.length === 1 ? ' was' : 's were'} skipped because they could not be read as spans (${examples}${problems.length > 3 ? '; ...' : ''})`];
}

export const KEYWORD = { type: 'keyword', ignore_above: 1024 };

/** One span per document: read each hit, skipping (and counting) those that cannot be read. */
export function readEachHit(hits: StoredHit[], read: (hit: StoredHit) => LogicalSpan | string): ReadResult {
  const spans: LogicalSpan[] = [];
  const problems: string[] = [];
  for (const hit of hits) {
    let span: LogicalSpan | string;
    try {
      span = read(hit);
    } catch (error) {
      span = `document ${hit._index}/${hit._id} could not be read (${(error as Error).message})`;
    }
    if (typeof span === 'string') {
      problems.push(span);
    } else {
      spans.push(span);
    }
  }
  return { spans, warnings: summariseSkipped(problems) };
}

/**
 * The ids every span needs; a message naming the document when they are missing. Callers copy the
 * two fields into the span by name: spreading this object into the span literal made reading a
 * Jaeger document seven times slower (V8 leaves the literal's fast path).
 */
export function requireIds(hit: StoredHit, traceIdValue: unknown, spanIdValue: unknown): { traceId: string; spanId: string } | string {
  const traceId = normaliseTraceId(traceIdValue);
  const spanId = normaliseSpanId(spanIdValue);
  return traceId && spanId ? { traceId, spanId } : `document ${hit._index}/${hit._id} has no valid trace and span id`;
}

/** What a span stores in lists, as its warnings name them. */
export type StoredList = 'events' | 'links' | 'references';

/** Why an element of each list is left out, said of one and of several. */
const LEFT_OUT_BECAUSE: Record<StoredList, [one: string, several: string]> = {
  events: ['could not be read and is left out', 'could not be read and are left out'],
  links: ['has no valid trace or span id and is left out', 'have no valid trace or span id and are left out'],
  references: ['has no valid trace or span id and is left out', 'have no valid trace or span id and are left out'],
};

/**
 * The one warning for the elements of a stored list a reader leaves out ("2 of 5 stored events
 * could not be read and are left out"), so a damaged event or link is never dropped silently.
 */
export function warnLeftOut(warnings: string[], list: StoredList, leftOut: number, stored: number): void {
  if (leftOut > 0) {
    warnings.push(`${leftOut} of ${stored} stored ${list} ${LEFT_OUT_BECAUSE[list][leftOut === 1 ? 0 : 1]}`);
  }
}

/** The elements of a stored list; a value that is there but no list is said and read as none. */
export function storedElements(value: unknown, list: StoredList, warnings: string[]): unknown[] {
  if (Array.isArray(value)) {
    return value;
  }
  if (value !== undefined && value !== null) {
    warnings.push(`the stored ${list} are ${typeof value === 'object' ? 'an object' : `a ${typeof value}`}, not a list, and are left out`);
  }
  return [];
}

/** A stored array of events, each read by `read` (undefined leaves it out, said in `warnings`), in time order. */
export function readEventArray(value: unknown, read: (raw: unknown) => SpanEvent | undefined, warnings: string[]): SpanEvent[] {
  const stored = storedElements(value, 'events', warnings);
  const events: SpanEvent[] = [];
  for (const raw of stored) {
    const event = read(raw);
    if (event !== undefined) {
      events.push(event);
    }
  }
  warnLeftOut(warnings, 'events', stored.length - events.length, stored.length);
  return events.sort(byTime);
}

export function byTime<T extends { timeUnixNano: bigint }>(a: T, b: T): number {
  return a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0;
}

/** The root span name of each trace, for producers that stamp it on every span (trace groups). */
export function rootNames(spans: LogicalSpan[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const span of spans) {
    if (!span.parentSpanId) {
      names.set(span.traceId, span.name);
    }
  }
  return names;
}

/** Where a schema keeps each part of a link, relative to one element of its links array. */
export interface LinkKeys {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes?: string;
  droppedAttributesCount?: string;
}

/** A stored array of links; elements without valid ids are left out, said in `warnings`. */
export function readLinkArray(value: unknown, keys: LinkKeys, warnings: string[], readAttributes: (raw: unknown) => Attributes = () => ({})): SpanLink[] {
  const stored = storedElements(value, 'links', warnings);
  const links: SpanLink[] = [];
  for (const link of stored) {
    const traceId = normaliseTraceId(readPath(link, keys.traceId));
    const spanId = normaliseSpanId(readPath(link, keys.spanId));
    if (traceId && spanId) {
      links.push({
        traceId,
        spanId,
        traceState: keys.traceState ? readString(link, keys.traceState) : undefined,
        attributes: keys.attributes ? readAttributes(readPath(link, keys.attributes)) : {},
        droppedAttributesCount: keys.droppedAttributesCount ? readCount(readPath(link, keys.droppedAttributesCount)) : undefined,
      });
    }
  }
  warnLeftOut(warnings, 'links', stored.length - links.length, stored.length);
  return links;
}

/**
 * The common detection rule: every `must` path present, one point per `extras` path or prefix
 * found; a score of 0 when a must is missing.
 */
export function detectByFields(schema: Detection['schema'], catalog: FieldCatalog, must: string[], extras: string[], bonus = 0): Detection {
  if (!must.every((path) => catalog.has(path))) {
    return { schema, score: 0, evidence: [] };
  }
  const found = extras.filter((extra) => (extra.endsWith('.*') ? hasPrefix(catalog, extra.slice(0, -1)) : catalog.has(extra)));
  return { schema, score: must.length + found.length + bonus, evidence: [...must, ...found] };
}

/** One document per span, all in the index the ingest names. */
export function writeEach(toDocument: (span: LogicalSpan) => JsonObject): SpanSchema['writeSpans'] {
  return (spans, indexBase) => spans.map((span) => ({ index: indexBase, document: toDocument(span) }));
}

/** One index whose mapping is the producer's template, or left to dynamic mapping. */
export function singleIndex(mappings: JsonObject): SpanSchema['indexSetups'] {
  return (indexBase, style) => [{ index: indexBase, body: style === 'template' ? { mappings } : {} }];
}
