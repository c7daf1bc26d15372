/**
 * `bklog-log`: the seed system's "LOG" protocol (BlueKing bk-log trace index sets), where each span
 * is a log record: `traceID`, `spanID`, `parentSpanID`, `operationName` keywords, the service in
 * `tags.local_service`, the status in the boolean `tags.error`, other `tags.*` as attributes, and the
 * record's text in `log`. Surprises:
 * - Units are milliseconds, not microseconds: the seed multiplies `startTime` by 1000 to hand
 *   Jaeger microseconds, formats it with `int(ms / 1000)`, and adds `duration` to it in its tree
 *   ("unit": "ms"). `startTime` may also be mapped as a date (its constants declare one), then it
 *   holds epoch milliseconds or an ISO string. `duration` may be a float (the seed accepts float).
 * - The detection fields (its MUST_MATCH list) are Jaeger's names too, so a mapping with Jaeger's
 *   `process`, `references` or `startTimeMillis` is never this schema.
 * - There is no ok status (`tags.error` false reads as unset), no resource beyond the service, no
 *   links, and the `log` text is the only event: it becomes one event named `log` at the start.
 */
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId } from './ids';
import { type Attributes, type AttributeValue, type LogicalLogRecord, type LogicalSpan, type SpanEvent, type SpanKind, type StatusCode, UNKNOWN_SERVICE } from './model';
import { bodyText, detectLogFields, type LogPaths, type LogSchema, logsIndexOf, readLogBody, readLogIds } from './logSchema';
import type { Detection, JsonObject, SpanSchema, StoredHit } from './schema';
import { compact, flattenObject, KEYWORD, pagingSort, readEachHit, readIso, readKind, readString, requireIds, singleIndex, startRange, warnLeftOut, writeEach } from './schemaSupport';

const SCHEMA = 'bklog-log';
const NS_PER_MS = BigInt(1_000_000);

/** `tags` keys that hold span facts rather than attributes. */
const SERVICE_TAG = 'local_service';
const ERROR_TAG = 'error';
const KIND_TAGS = ['span.kind', 'kind'];
/** Typed in the seed's mapping: a value of another type (or a key below them) would be refused. */
const TYPED_TAGS: Record<string, (value: AttributeValue) => boolean> = {
  [SERVICE_TAG]: () => false,
  [ERROR_TAG]: () => false,
  result_code: (value) => typeof value === 'number' && Number.isSafeInteger(value),
  scene: (value) => typeof value === 'string',
};

// ---- times ---------------------------------------------------------------------------------

/** Milliseconds (integer or fractional, number or numeric text) to exact-enough nanoseconds. */
function readMillis(value: unknown): bigint | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e21 ? value.toFixed(6) : typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) {
    return undefined;
  }
  // Six fractional digits of a millisecond are nanoseconds.
  return BigInt(match[1]) * NS_PER_MS + BigInt((match[2] ?? '').slice(0, 6).padEnd(6, '0'));
}

/** A stored time: epoch milliseconds (long, or a date field given millis) or an ISO date. */
function readTime(value: unknown): bigint | undefined {
  return readMillis(value) ?? readIso(value);
}

const millis = (ns: bigint): number => Number(ns / NS_PER_MS);

// ---- reading -------------------------------------------------------------------------------

/** `tags` flattened to dotted keys (the seed's collectors write them flat or nested alike). */
function readTags(source: JsonObject): Attributes {
  return flattenObject(readPath(source, 'tags'));
}

function takeService(tags: Attributes): string | undefined {
  const service = tags[SERVICE_TAG];
  delete tags[SERVICE_TAG];
  return typeof service === 'string' && service !== '' ? service : undefined;
}

/** `tags.error` true is an error; false (the seed's "success") and absence are unset. */
function takeStatus(tags: Attributes): StatusCode {
  const error = tags[ERROR_TAG];
  if (typeof error === 'boolean' || error === 'true' || error === 'false') {
    delete tags[ERROR_TAG];
  }
  return error === true || error === 'true' ? 2 : 0;
}

/** The kind from `tags.span.kind` or `tags.kind` when one names a kind; otherwise it stays an attribute. */
function takeKind(tags: Attributes): SpanKind {
  for (const key of KIND_TAGS) {
    const value = tags[key];
    const kind = typeof value === 'string' || typeof value === 'number' ? readKind(value) : 'unspecified';
    if (kind !== 'unspecified') {
      delete tags[key];
      return kind;
    }
  }
  return 'unspecified';
}

/** The record's text, shown as one event at the span start so the trace view displays it; a `log` that is no text is said. */
function logEvent(source: JsonObject, start: bigint, warnings: string[]): SpanEvent[] {
  const log = readString(source, 'log');
  if (log === undefined) {
    const stored = readPath(source, 'log');
    warnLeftOut(warnings, 'events', stored === undefined || stored === null || stored === '' ? 0 : 1, 1);
    return [];
  }
  return [{ timeUnixNano: start, name: 'log', attributes: { message: log } }];
}

function bklogLogDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const ids = requireIds(hit, readPath(source, 'traceID'), readPath(source, 'spanID'));
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readTime(readPath(source, 'startTime'));
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable startTime`;
  }
  const warnings: string[] = [];
  const duration = readMillis(readPath(source, 'duration'));
  if (duration === undefined) {
    warnings.push('the document has no valid duration; shown as 0');
  }
  const tags = readTags(source);
  const service = takeService(tags);
  const statusCode = takeStatus(tags);
  const kind = takeKind(tags);
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId: readParentSpanId(readPath(source, 'parentSpanID'), warnings),
    name: readString(source, 'operationName') ?? '',
    serviceName: service ?? UNKNOWN_SERVICE,
    kind,
    startTimeUnixNano: start,
    durationNano: duration ?? BigInt(0),
    statusCode,
    attributes: tags,
    resourceAttributes: service === undefined ? {} : { 'service.name': service },
    events: logEvent(source, start, warnings),
    links: [],
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

// ---- writing -------------------------------------------------------------------------------

/** Whether an attribute can go into `tags` beside the typed keys without the engine refusing it. */
function storableTag(key: string, value: AttributeValue): boolean {
  const typed = TYPED_TAGS[key];
  if (typed) {
    return typed(value);
  }
  // `span.kind` is written from the span's kind; keys below a typed key would need it to be an object.
  return ![...Object.keys(TYPED_TAGS), 'span.kind'].some((reserved) => key === reserved || key.startsWith(`${reserved}.`));
}

/** Attributes as `tags` with dotted keys kept flat, as the seed's collectors write them. */
function attributeTags(attributes: Attributes): JsonObject {
  const tags: JsonObject = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (storableTag(key, value)) {
      tags[key] = value;
    }
  }
  return tags;
}

function spanTags(span: LogicalSpan): JsonObject {
  const tags = attributeTags(span.attributes);
  tags[SERVICE_TAG] = span.serviceName;
  tags[ERROR_TAG] = span.statusCode === 2;
  if (span.kind !== 'unspecified') {
    tags['span.kind'] = span.kind;
  }
  return tags;
}

/** The first event's `message` attribute, else its name: the one text a record holds. */
export function firstEventText(span: LogicalSpan): string | undefined {
  const event = span.events[0];
  if (!event) {
    return undefined;
  }
  const message = event.attributes.message;
  return typeof message === 'string' ? message : event.name;
}

export function spanToBklogLogDocument(span: LogicalSpan): JsonObject {
  const start = millis(span.startTimeUnixNano);
  const document: JsonObject = {
    traceID: span.traceId,
    spanID: span.spanId,
    // The seed's tree matches parents by value, so roots keep an empty parent rather than none.
    parentSpanID: span.parentSpanId ?? '',
    operationName: span.name,
    startTime: start,
    duration: millis(span.durationNano ?? BigInt(0)),
    tags: spanTags(span),
    dtEventTimeStamp: start,
  };
  const log = firstEventText(span);
  if (log !== undefined) {
    document.log = log;
  }
  return document;
}

const TAGS_MAPPING: JsonObject = {
  type: 'object',
  dynamic: true,
  properties: { local_service: KEYWORD, scene: KEYWORD, error: { type: 'boolean' }, result_code: { type: 'long' } },
};

/** A LOG-protocol trace index set: the seed's MUST_MATCH types, millisecond longs, the text `log`. */
export const BKLOG_LOG_SPAN_MAPPING: JsonObject = {
  properties: {
    traceID: KEYWORD,
    spanID: KEYWORD,
    parentSpanID: KEYWORD,
    operationName: KEYWORD,
    startTime: { type: 'long' },
    duration: { type: 'long' },
    tags: TAGS_MAPPING,
    log: { type: 'text' },
    dtEventTimeStamp: { type: 'date', format: 'epoch_millis' },
  },
};

// ---- detection -----------------------------------------------------------------------------

/** The seed's MUST_MATCH fields and the mapped types it accepts (`integer` durations it refuses). */
const MUST_MATCH: Record<string, string[]> = {
  parentSpanID: ['keyword'],
  spanID: ['keyword'],
  traceID: ['keyword'],
  operationName: ['keyword'],
  duration: ['long', 'float'],
  startTime: ['date', 'long'],
};
/** At least one of these marks the LOG protocol rather than another layout with Jaeger's names. */
const OWN_FIELDS = ['tags.local_service', 'dtEventTimeStamp', 'log'];
const EXTRAS = ['tags.error', 'tags.result_code', 'tags.scene'];
/** Jaeger's span store: it has every MUST_MATCH field too. */
const JAEGER_FIELDS = ['process', 'references', 'startTimeMillis'];

function detectBklogLog(catalog: FieldCatalog): Detection {
  const typed = Object.entries(MUST_MATCH).every(([path, types]) => types.includes(catalog.get(path)?.type ?? ''));
  const own = OWN_FIELDS.filter((path) => catalog.has(path));
  if (!typed || own.length === 0 || JAEGER_FIELDS.some((path) => catalog.has(path))) {
    return { schema: SCHEMA, score: 0, evidence: [] };
  }
  const found = [...own, ...EXTRAS.filter((path) => catalog.has(path))];
  return { schema: SCHEMA, score: Object.keys(MUST_MATCH).length + found.length, evidence: [...Object.keys(MUST_MATCH), ...found] };
}

export const bklogLogSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'BlueKing bk-log trace index sets, LOG protocol (the seed system)',
  paths: { traceId: 'traceID', spanId: 'spanID', parentSpanId: 'parentSpanID', name: 'operationName', serviceName: 'tags.local_service', start: 'startTime', duration: 'duration', statusCode: 'tags.error' },
  search: {
    durations: [{ field: 'duration', unit: 'ms' }],
    // A date mapping is aggregated as a date; a long one as milliseconds.
    start: { field: 'startTime', unit: 'ms' },
    // Only errors are told apart: false reads as unset, so no stored value means ok.
    status: { style: 'field', field: 'tags.error', error: [true], ok: [] },
    attributes: { style: 'fields', prefixes: [{ prefix: 'tags.' }] },
  },
  detect: detectBklogLog,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, 'startTime', 'millis', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, 'startTime', 'spanID'),
  readHits: (hits) => readEachHit(hits, bklogLogDocumentToSpan),
  writeSpans: writeEach(spanToBklogLogDocument),
  producerMapping: () => 'template',
  indexSetups: singleIndex(BKLOG_LOG_SPAN_MAPPING),
};

// ---- logs ----------------------------------------------------------------------------------

/**
 * The same records read as log lines: each span's `log` text, and log records written in the same
 * layout without the span fields. No severity is kept; the time is `dtEventTimeStamp` (the seed's
 * time field), else the start.
 */
const BKLOG_LOG_PATHS: LogPaths = {
  traceId: 'traceID',
  spanIds: ['spanID'],
  time: 'dtEventTimeStamp',
  timeUnit: 'millis',
  body: ['log'],
  service: ['tags.local_service'],
};

function bklogLogDocumentToLog(hit: StoredHit): LogicalLogRecord | string {
  const source = hit._source ?? {};
  const time = readTime(readPath(source, 'dtEventTimeStamp')) ?? readTime(readPath(source, 'startTime'));
  if (time === undefined) {
    return `log document ${hit._index}/${hit._id} has no readable dtEventTimeStamp or startTime`;
  }
  const tags = readTags(source);
  const service = takeService(tags);
  return {
    timeUnixNano: time,
    ...readLogIds(source, BKLOG_LOG_PATHS),
    body: readLogBody(source, BKLOG_LOG_PATHS),
    attributes: tags,
    resourceAttributes: service === undefined ? {} : { 'service.name': service },
  };
}

function logToBklogLogDocument(record: LogicalLogRecord): JsonObject {
  const time = millis(record.timeUnixNano);
  const service = record.resourceAttributes['service.name'];
  return compact({
    traceID: record.traceId,
    spanID: record.spanId,
    dtEventTimeStamp: time,
    log: bodyText(record.body),
    tags: compact({ ...attributeTags(record.attributes), [SERVICE_TAG]: typeof service === 'string' ? service : undefined }),
  });
}

/** Log records alone: the record fields of the span mapping, without the span's. */
const BKLOG_LOG_RECORD_MAPPING: JsonObject = {
  properties: {
    traceID: KEYWORD,
    spanID: KEYWORD,
    tags: TAGS_MAPPING,
    log: { type: 'text' },
    dtEventTimeStamp: { type: 'date', format: 'epoch_millis' },
  },
};

export const bklogLogLogSchema: LogSchema = {
  name: SCHEMA,
  producer: 'BlueKing bk-log LOG protocol records (the seed system)',
  paths: BKLOG_LOG_PATHS,
  // Span records without a text are no log lines.
  notLogs: { bool: { must_not: [{ exists: { field: 'log' } }] } },
  detect: (catalog) => detectLogFields(catalog, ['traceID', 'log'], ['dtEventTimeStamp', 'tags.local_service', 'spanID'], JAEGER_FIELDS),
  readHit: bklogLogDocumentToLog,
  writeLogs: (records, indexBase) => records.map((record) => ({ index: logsIndexOf(indexBase), document: logToBklogLogDocument(record) })),
  producerMapping: () => 'template',
  indexSetups: (indexBase, style) => [{ index: logsIndexOf(indexBase), body: style === 'template' ? { mappings: BKLOG_LOG_RECORD_MAPPING } : {} }],
};
