/**
 * `elastic-apm`: Elastic APM documents (APM Server, the Elastic Agent APM integration, OTLP into
 * APM Server; storage-schemas.md §5). A logical span is a transaction (entry spans: roots, SERVER
 * and CONSUMER) or a span. Microsecond times; attributes become `labels` / `numeric_labels` with
 * dots in keys replaced by `_`; events go to separate error/log documents and are not read here.
 */
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId } from './ids';
import { type Attributes, type AttributeValue, type LogicalLogRecord, type LogicalSpan, type SpanKind, type StatusCode, UNKNOWN_SERVICE } from './model';
import { bodyText, detectLogFields, type LogPaths, type LogSchema, logsIndexOf, readLogBody, readLogIds, readSeverity } from './logSchema';
import type { Detection, JsonObject, SpanSchema, StoredHit, WrittenDocument } from './schema';
import { compact, detectByFields, flattenObject, KEYWORD, pagingSort, readEachHit, readIso, readLinkArray, readNanos, readString, requireIds, singleIndex, startRange } from './schemaSupport';

const SCHEMA = 'elastic-apm';
const NS_PER_US = BigInt(1000);

/** Resource attributes APM keeps in its own ECS fields; everything else becomes a label. */
const RESOURCE_FIELDS: Record<string, string> = {
  'service.version': 'service.version',
  'deployment.environment.name': 'service.environment',
  'service.instance.id': 'service.node.name',
  'host.name': 'host.hostname',
};
const RESOURCE_BACK = Object.fromEntries(Object.entries(RESOURCE_FIELDS).map(([from, to]) => [to, from]));

function outcome(value: unknown): StatusCode {
  return value === 'failure' ? 2 : value === 'success' ? 1 : 0;
}

function readApmKind(source: JsonObject, isTransaction: boolean): SpanKind {
  const kind = readString(source, 'span.kind')?.toLowerCase();
  if (kind === 'server' || kind === 'client' || kind === 'producer' || kind === 'consumer' || kind === 'internal') {
    return kind;
  }
  if (isTransaction) {
    return readString(source, 'transaction.type') === 'messaging' ? 'consumer' : 'server';
  }
  const type = readString(source, 'span.type');
  return type === 'db' || type === 'external' ? 'client' : type === 'messaging' ? 'producer' : 'internal';
}


/** Where APM Server keeps the peer an exit span calls. */
const EXIT_TARGET_FIELDS = ['service.target.type', 'service.target.name', 'span.destination.service.resource'];

function apmDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const isTransaction = readString(source, 'processor.event') === 'transaction';
  const ids = requireIds(hit, readPath(source, 'trace.id'), readPath(source, 'span.id') ?? readPath(source, 'transaction.id'));
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readNanos(readPath(source, 'timestamp.us'), 'us');
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable timestamp.us`;
  }
  const warnings: string[] = [];
  const duration = readNanos(readPath(source, isTransaction ? 'transaction.duration.us' : 'span.duration.us'), 'us');
  if (duration === undefined) {
    warnings.push('the document has no valid duration.us; shown as 0');
  }
  const serviceName = readString(source, 'service.name') ?? UNKNOWN_SERVICE;
  const resourceAttributes: Attributes = { 'service.name': serviceName };
  for (const [field, key] of Object.entries(RESOURCE_BACK)) {
    const value = readPath(source, field);
    if (typeof value === 'string' && value !== '') {
      resourceAttributes[key] = value;
    }
  }
  const attributes: Attributes = { ...flattenObject(readPath(source, 'labels')), ...flattenObject(readPath(source, 'numeric_labels')) };
  // What an exit span calls, as APM Server derives it from the agent's data (peer.service, db.system, ...).
  for (const field of EXIT_TARGET_FIELDS) {
    const value = readString(source, field);
    if (value !== undefined && !(field in attributes)) {
      attributes[field] = value;
    }
  }
  const frameworkName = readString(source, 'service.framework.name');
  const frameworkVersion = readString(source, 'service.framework.version');
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId: readParentSpanId(readPath(source, 'parent.id'), warnings),
    name: readString(source, isTransaction ? 'transaction.name' : 'span.name') ?? '',
    serviceName,
    kind: readApmKind(source, isTransaction),
    startTimeUnixNano: start,
    durationNano: duration ?? BigInt(0),
    statusCode: outcome(readPath(source, 'event.outcome')),
    attributes,
    resourceAttributes,
    scope: frameworkName || frameworkVersion ? { name: frameworkName, version: frameworkVersion } : undefined,
    events: [],
    links: readLinkArray(readPath(source, 'span.links'), { traceId: 'trace.id', spanId: 'span.id' }, warnings),
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

// ---- writing -------------------------------------------------------------------------------

/** Label keys may not contain '.', '*' or '"': APM replaces them with '_' (not reversible). */
export const labelKey = (key: string) => key.replace(/[.*"]/g, '_');

function labelsOf(attributes: Attributes): { labels: JsonObject; numeric: JsonObject } {
  const labels: JsonObject = {};
  const numeric: JsonObject = {};
  for (const [key, value] of Object.entries(attributes)) {
    const target = labelKey(key);
    if (typeof value === 'number') {
      numeric[target] = value;
    } else if (Array.isArray(value) && value.every((item) => typeof item === 'number')) {
      numeric[target] = value;
    } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      labels[target] = value;
    } else {
      labels[target] = typeof value === 'string' ? value : labelText(value);
    }
  }
  return { labels, numeric };
}

function labelText(value: AttributeValue): string {
  return typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** Entry spans become transactions; each span records the transaction that encloses it. */
function isTransaction(span: LogicalSpan): boolean {
  return !span.parentSpanId || span.kind === 'server' || span.kind === 'consumer';
}

/**
 * The transaction that encloses each span, in one pass: each walk up the parents stops at a
 * transaction or at a span already answered, and answers every span it passed.
 */
function enclosingTransactions(spans: LogicalSpan[]): Map<string, string> {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const answered = new Map<string, string | undefined>();
  for (const span of spans) {
    const path: LogicalSpan[] = [];
    const onPath = new Set<string>();
    let current: LogicalSpan | undefined = span;
    let found: string | undefined;
    while (current && !onPath.has(current.spanId)) {
      if (answered.has(current.spanId)) {
        found = answered.get(current.spanId);
        break;
      }
      if (isTransaction(current)) {
        found = current.spanId;
        break;
      }
      path.push(current);
      onPath.add(current.spanId);
      current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
    }
    for (const walked of [span, ...path]) {
      answered.set(walked.spanId, found);
    }
  }
  const result = new Map<string, string>();
  for (const [spanId, transactionId] of answered) {
    if (transactionId !== undefined) {
      result.set(spanId, transactionId);
    }
  }
  return result;
}

const micros = (ns: bigint): number => Number(ns / NS_PER_US);

export function spanToApmDocument(span: LogicalSpan, transactionId?: string): JsonObject {
  const transaction = isTransaction(span);
  const resourceLabels: Attributes = {};
  const service: JsonObject = { name: span.serviceName };
  let hostname: AttributeValue | undefined;
  for (const [key, value] of Object.entries(span.resourceAttributes)) {
    if (key === 'service.name') {
      continue;
    }
    const field = RESOURCE_FIELDS[key];
    if (field === 'host.hostname') {
      hostname = value;
    } else if (field) {
      service[field.slice('service.'.length)] = value;
    } else {
      resourceLabels[key] = value;
    }
  }
  if (span.scope?.name) {
    service.framework = compact({ name: span.scope.name, version: span.scope.version });
  }
  const { labels, numeric } = labelsOf({ ...resourceLabels, ...span.attributes });
  const duration = { us: micros(span.durationNano ?? BigInt(0)) };
  const start = micros(span.startTimeUnixNano);
  return compact({
    '@timestamp': new Date(Math.floor(start / 1000)).toISOString(),
    timestamp: { us: start },
    processor: { event: transaction ? 'transaction' : 'span' },
    data_stream: { type: 'traces', dataset: 'apm', namespace: 'default' },
    trace: { id: span.traceId },
    parent: span.parentSpanId ? { id: span.parentSpanId } : undefined,
    transaction: transaction ? { id: span.spanId, name: span.name, type: span.kind === 'consumer' ? 'messaging' : 'request', duration, sampled: true } : transactionId ? { id: transactionId } : undefined,
    span: compact({
      id: span.spanId,
      kind: span.kind === 'unspecified' ? undefined : span.kind.toUpperCase(),
      ...(transaction ? {} : { name: span.name, type: span.kind === 'client' ? 'external' : span.kind === 'producer' ? 'messaging' : 'app', duration }),
      links: span.links.length > 0 ? span.links.map((link) => ({ trace: { id: link.traceId }, span: { id: link.spanId } })) : undefined,
    }),
    event: span.statusCode === 0 ? undefined : { outcome: span.statusCode === 2 ? 'failure' : 'success' },
    service,
    host: hostname === undefined ? undefined : { hostname },
    labels,
    numeric_labels: numeric,
    agent: { name: 'opentelemetry/nodejs' },
    observer: { type: 'apm-server' },
  });
}

/** The parts of Elastic's traces-apm mappings that reading relies on. */
export const APM_MAPPING: JsonObject = {
  dynamic_templates: [
    { labels: { path_match: 'labels.*', mapping: { type: 'keyword' } } },
    { numeric_labels: { path_match: 'numeric_labels.*', mapping: { type: 'scaled_float', scaling_factor: 1000000 } } },
  ],
  properties: {
    '@timestamp': { type: 'date' },
    timestamp: { properties: { us: { type: 'long' } } },
    processor: { properties: { event: KEYWORD } },
    trace: { properties: { id: KEYWORD } },
    parent: { properties: { id: KEYWORD } },
    transaction: { properties: { id: KEYWORD, name: KEYWORD, type: KEYWORD, duration: { properties: { us: { type: 'long' } } } } },
    span: { properties: { id: KEYWORD, name: KEYWORD, kind: KEYWORD, type: KEYWORD, duration: { properties: { us: { type: 'long' } } } } },
    event: { properties: { outcome: KEYWORD } },
    service: { properties: { name: KEYWORD, version: KEYWORD, environment: KEYWORD, node: { properties: { name: KEYWORD } } } },
  },
};

function detectApm(catalog: FieldCatalog): Detection {
  // APM log and error documents share processor.event and trace.id; spans have a duration.
  if (!catalog.has('transaction.duration.us') && !catalog.has('span.duration.us')) {
    return { schema: SCHEMA, score: 0, evidence: [] };
  }
  // A bonus over the exporter's ecs mode, whose fields APM documents also carry.
  return detectByFields(SCHEMA, catalog, ['processor.event', 'trace.id'], ['transaction.duration.us', 'span.duration.us', 'timestamp.us', 'observer.type'], 2);
}

export const elasticApmSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'Elastic APM (APM Server / Elastic Agent integration, agents or OTLP)',
  paths: { traceId: 'trace.id', spanId: 'span.id', parentSpanId: 'parent.id', name: 'span.name', serviceName: 'service.name', start: 'timestamp.us', duration: 'span.duration.us', statusCode: 'event.outcome', alternates: { name: ['transaction.name'] } },
  search: {
    durations: [{ field: 'transaction.duration.us', unit: 'us' }, { field: 'span.duration.us', unit: 'us' }],
    start: { field: 'timestamp.us', unit: 'us' },
    kind: { style: 'apm' },
    status: { style: 'field', field: 'event.outcome', error: ['failure'], ok: ['success'] },
    // Keys lose '.', '*' and '"' to '_' on the way in, so a search key is encoded the same way.
    attributes: { style: 'fields', prefixes: [{ prefix: 'labels.', encode: labelKey }, { prefix: 'numeric_labels.', encode: labelKey }] },
  },
  detect: detectApm,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, '@timestamp', 'date', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, 'timestamp.us', 'span.id'),
  readHits: (hits) => readEachHit(hits, apmDocumentToSpan),
  writeSpans(spans, indexBase): WrittenDocument[] {
    const transactions = enclosingTransactions(spans);
    return spans.map((span) => ({ index: indexBase, document: spanToApmDocument(span, transactions.get(span.spanId)) }));
  },
  producerMapping: () => 'template',
  indexSetups: singleIndex(APM_MAPPING),
};

// ---- logs ----------------------------------------------------------------------------------

/** APM application logs (`logs-apm.app.<service>-<namespace>`): ECS fields plus labels. */
const APM_LOG_PATHS: LogPaths = {
  traceId: 'trace.id',
  // A log inside a transaction names it; inside a span, the span.
  spanIds: ['span.id', 'transaction.id'],
  time: '@timestamp',
  timeUnit: 'date',
  body: ['message', 'error.log.message', 'error.exception.message'],
  severityText: 'log.level',
  service: ['service.name'],
};

function apmDocumentToLog(hit: StoredHit): LogicalLogRecord | string {
  const source = hit._source ?? {};
  // RFC 3339 only, not Date.parse: that takes text such as "-1" or "a 2" for a day in 2001.
  const time = readNanos(readPath(source, 'timestamp.us'), 'us') ?? readIso(readPath(source, '@timestamp'));
  if (time === undefined) {
    return `log document ${hit._index}/${hit._id} has no readable @timestamp`;
  }
  const resourceAttributes: Attributes = {};
  const service = readString(source, 'service.name');
  if (service) {
    resourceAttributes['service.name'] = service;
  }
  for (const [field, key] of Object.entries(RESOURCE_BACK)) {
    const value = readString(source, field);
    if (value) {
      resourceAttributes[key] = value;
    }
  }
  return {
    timeUnixNano: time,
    ...readLogIds(source, APM_LOG_PATHS),
    ...readSeverity(source, APM_LOG_PATHS),
    body: readLogBody(source, APM_LOG_PATHS),
    attributes: { ...flattenObject(readPath(source, 'labels')), ...flattenObject(readPath(source, 'numeric_labels')) },
    resourceAttributes,
  };
}

function logToApmDocument(record: LogicalLogRecord): JsonObject {
  const { labels, numeric } = labelsOf(record.attributes);
  const micros = Number(record.timeUnixNano / NS_PER_US);
  const service = record.resourceAttributes['service.name'];
  return compact({
    '@timestamp': new Date(Math.floor(micros / 1000)).toISOString(),
    timestamp: { us: micros },
    processor: { event: 'log' },
    data_stream: { type: 'logs', dataset: `apm.app.${typeof service === 'string' ? service : 'unknown'}`, namespace: 'default' },
    trace: record.traceId ? { id: record.traceId } : undefined,
    span: record.spanId ? { id: record.spanId } : undefined,
    message: bodyText(record.body),
    log: record.severityText ? { level: record.severityText } : undefined,
    service: typeof service === 'string' ? { name: service } : undefined,
    labels: Object.keys(labels).length > 0 ? labels : undefined,
    numeric_labels: Object.keys(numeric).length > 0 ? numeric : undefined,
    agent: { name: 'opentelemetry/nodejs' },
  });
}

const APM_LOG_MAPPING: JsonObject = {
  dynamic_templates: APM_MAPPING.dynamic_templates,
  properties: {
    '@timestamp': { type: 'date' },
    timestamp: { properties: { us: { type: 'long' } } },
    processor: { properties: { event: KEYWORD } },
    trace: { properties: { id: KEYWORD } },
    transaction: { properties: { id: KEYWORD } },
    span: { properties: { id: KEYWORD } },
    message: { type: 'text' },
    log: { properties: { level: KEYWORD } },
    service: { properties: { name: KEYWORD } },
  },
};

export const elasticApmLogSchema: LogSchema = {
  name: SCHEMA,
  producer: elasticApmSchema.producer,
  paths: APM_LOG_PATHS,
  detect: (catalog) => detectLogFields(catalog, ['processor.event', 'trace.id', '@timestamp'], ['message', 'log.level'], ['transaction.duration.us', 'span.duration.us']),
  readHit: apmDocumentToLog,
  writeLogs: (records, indexBase) => records.map((record) => ({ index: logsIndexOf(indexBase), document: logToApmDocument(record) })),
  producerMapping: () => 'template',
  indexSetups: (indexBase, style) => [{ index: logsIndexOf(indexBase), body: style === 'template' ? { mappings: APM_LOG_MAPPING } : {} }],
};
