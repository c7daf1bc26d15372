/**
 * `ecs`: the OpenTelemetry Collector elasticsearch exporter in `ecs` mode (storage-schemas.md §2.6).
 * Fixed ECS fields for ids, name, kind and outcome; resource and span attributes at the document
 * root under their dotted names, renamed to ECS where a rule exists. It stores no duration, end
 * time, status message, events, scope or trace state.
 */
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId } from './ids';
import { type Attributes, type AttributeValue, type LogicalLogRecord, type LogicalSpan, type StatusCode, UNKNOWN_SERVICE } from './model';
import { bodyText, detectLogFields, type LogPaths, type LogSchema, logsIndexOf, readLogBody, readLogIds, readSeverity } from './logSchema';
import type { Detection, JsonObject, SpanSchema, StoredHit } from './schema';
import { detectByFields, flattenObject, pagingSort, readEachHit, readIso, readKind, readLinkArray, requireIds, singleIndex, startRange, writeEach } from './schemaSupport';
import { formatIsoNanos } from './time';

const SCHEMA = 'ecs';
export const ECS_NO_DURATION = 'the ecs mapping mode stores no duration; shown as 0';
const FIXED = new Set(['@timestamp', 'trace.id', 'span.id', 'span.name', 'parent.id', 'span.kind', 'event.outcome', 'span.links']);
/** Root keys that belong to the resource rather than to the span. */
const RESOURCE_PREFIXES = ['service.', 'host.', 'os.', 'deployment.', 'cloud.', 'container.', 'kubernetes.', 'process.', 'telemetry.', 'agent.'];

/** The exporter's renames (semantic conventions -> ECS), resource and span side. */
const RESOURCE_RENAMES: Record<string, string> = {
  'service.instance.id': 'service.node.name',
  'deployment.environment': 'service.environment',
  'os.type': 'host.os.platform',
  'k8s.pod.name': 'kubernetes.pod.name',
};
const SPAN_RENAMES: Record<string, string> = { 'db.system': 'span.db.type', 'db.namespace': 'span.db.instance', 'db.query.text': 'span.db.statement' };
const invert = (renames: Record<string, string>) => Object.fromEntries(Object.entries(renames).map(([from, to]) => [to, from]));
const RESOURCE_BACK = invert(RESOURCE_RENAMES);
const SPAN_BACK = invert(SPAN_RENAMES);

function outcome(value: unknown): StatusCode {
  return value === 'failure' ? 2 : value === 'success' ? 1 : 0;
}


function ecsDocumentToSpan(hit: StoredHit): LogicalSpan | string {
  const source = hit._source ?? {};
  const flat = flattenObject(source);
  const ids = requireIds(hit, flat['trace.id'], flat['span.id']);
  if (typeof ids === 'string') {
    return ids;
  }
  const start = readIso(flat['@timestamp']);
  if (start === undefined) {
    return `document ${hit._index}/${hit._id} has no readable @timestamp`;
  }
  const { attributes, resourceAttributes } = splitRootAttributes(flat, FIXED);
  const service = resourceAttributes['service.name'];
  const warnings = [ECS_NO_DURATION];
  return {
    traceId: ids.traceId,
    spanId: ids.spanId,
    // From the document, not the flattened keys: a damaged parent object must not vanish silently.
    parentSpanId: readParentSpanId(readPath(source, 'parent.id'), warnings),
    name: typeof flat['span.name'] === 'string' ? flat['span.name'] : '',
    serviceName: typeof service === 'string' && service !== '' ? service : UNKNOWN_SERVICE,
    kind: readKind(flat['span.kind']),
    startTimeUnixNano: start,
    durationNano: BigInt(0),
    statusCode: outcome(flat['event.outcome']),
    attributes,
    resourceAttributes,
    events: [],
    links: readLinkArray(readPath(source, 'span.links'), { traceId: 'trace.id', spanId: 'span.id' }, warnings),
    source: { schema: SCHEMA, index: hit._index, id: hit._id, warnings },
  };
}

/** Root keys other than `fixed`, as span (or log) attributes and resource attributes, ECS renames reversed. */
function splitRootAttributes(flat: Record<string, AttributeValue>, fixed: Set<string>): { attributes: Attributes; resourceAttributes: Attributes } {
  const attributes: Attributes = {};
  const resourceAttributes: Attributes = {};
  for (const [key, value] of Object.entries(flat)) {
    if (fixed.has(key) || key.startsWith('data_stream.')) {
      continue;
    }
    if (key in SPAN_BACK) {
      attributes[SPAN_BACK[key]] = value;
    } else if (key in RESOURCE_BACK) {
      resourceAttributes[RESOURCE_BACK[key]] = value;
    } else if (key === 'host.hostname' && flat['host.name'] === value) {
      continue; // the exporter copies host.name here and keeps the original
    } else if (RESOURCE_PREFIXES.some((prefix) => key.startsWith(prefix))) {
      resourceAttributes[key] = value;
    } else {
      attributes[key] = value;
    }
  }
  return { attributes, resourceAttributes };
}

function renamed(attributes: Attributes, renames: Record<string, string>): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(attributes)) {
    result[renames[key] ?? key] = value;
    if (key === 'host.name') {
      result['host.hostname'] = value;
    }
  }
  return result;
}

export function spanToEcsDocument(span: LogicalSpan): JsonObject {
  const document: JsonObject = {
    '@timestamp': formatIsoNanos(span.startTimeUnixNano),
    'data_stream.type': 'traces',
    'data_stream.dataset': 'generic',
    'data_stream.namespace': 'default',
    'trace.id': span.traceId,
    'span.id': span.spanId,
    'span.name': span.name,
    ...(span.parentSpanId ? { 'parent.id': span.parentSpanId } : {}),
    'span.kind': span.kind.toUpperCase(),
    ...(span.statusCode === 0 ? {} : { 'event.outcome': span.statusCode === 2 ? 'failure' : 'success' }),
    ...(span.links.length > 0 ? { 'span.links': span.links.map((link) => ({ 'span.id': link.spanId, 'trace.id': link.traceId })) } : {}),
    ...renamed(span.resourceAttributes, RESOURCE_RENAMES),
    ...renamed(span.attributes, SPAN_RENAMES),
  };
  return document;
}

function detectEcs(catalog: FieldCatalog): Detection {
  // otel-data templates alias trace.id to trace_id; APM documents carry processor.event.
  if (catalog.get('trace.id')?.type === 'alias' || catalog.has('processor.event') || catalog.has('trace_id')) {
    return { schema: SCHEMA, score: 0, evidence: [] };
  }
  return detectByFields(SCHEMA, catalog, ['trace.id', 'span.id', 'span.name'], ['parent.id', 'span.kind', 'event.outcome']);
}

export const ecsSchema: SpanSchema = {
  name: SCHEMA,
  producer: 'OpenTelemetry Collector elasticsearch exporter, mapping mode ecs',
  paths: { traceId: 'trace.id', spanId: 'span.id', parentSpanId: 'parent.id', name: 'span.name', serviceName: 'service.name', start: '@timestamp', statusCode: 'event.outcome' },
  search: {
    durations: [],
    start: { field: '@timestamp', unit: 'date' },
    kind: { style: 'field', field: 'span.kind' },
    status: { style: 'field', field: 'event.outcome', error: ['failure'], ok: ['success'] },
    // Attributes are document fields under their own (or their ECS) names.
    attributes: { style: 'fields', prefixes: [{ prefix: '' }] },
  },
  detect: detectEcs,
  timeRange: (catalog, fromNs, toNs) => startRange(catalog, '@timestamp', 'date', fromNs, toNs),
  pagingSort: (catalog) => pagingSort(catalog, '@timestamp', 'span.id'),
  readHits: (hits) => readEachHit(hits, ecsDocumentToSpan),
  writeSpans: writeEach(spanToEcsDocument),
  producerMapping: () => 'dynamic',
  indexSetups: singleIndex({}),
};

// ---- logs ----------------------------------------------------------------------------------

/** ECS loggers (ecs-logging with Filebeat or Elastic Agent) and the exporter's `ecs` mode for logs. */
export const ECS_LOG_PATHS: LogPaths = {
  traceId: 'trace.id',
  spanIds: ['span.id'],
  time: '@timestamp',
  timeUnit: 'date',
  body: ['message'],
  severityText: 'log.level',
  severityNumber: 'event.severity',
  service: ['service.name'],
};
const LOG_FIXED = new Set(['@timestamp', 'trace.id', 'span.id', 'transaction.id', 'message', 'log.level', 'event.severity', 'event.action', 'processor.event']);

/** An ECS log document -> a log record; attributes and resource split as for ECS spans. */
export function ecsDocumentToLog(hit: StoredHit, paths: LogPaths = ECS_LOG_PATHS): LogicalLogRecord | string {
  const source = hit._source ?? {};
  const flat = flattenObject(source);
  const time = readIso(flat['@timestamp']);
  if (time === undefined) {
    return `log document ${hit._index}/${hit._id} has no readable @timestamp`;
  }
  const { attributes, resourceAttributes } = splitRootAttributes(flat, LOG_FIXED);
  return {
    timeUnixNano: time,
    ...readLogIds(flat, paths),
    ...readSeverity(flat, paths),
    body: readLogBody(flat, paths),
    eventName: typeof flat['event.action'] === 'string' ? flat['event.action'] : undefined,
    attributes,
    resourceAttributes,
  };
}

export function logToEcsDocument(record: LogicalLogRecord): JsonObject {
  return {
    '@timestamp': formatIsoNanos(record.timeUnixNano),
    'data_stream.type': 'logs',
    'data_stream.dataset': 'generic',
    'data_stream.namespace': 'default',
    ...(record.traceId ? { 'trace.id': record.traceId } : {}),
    ...(record.spanId ? { 'span.id': record.spanId } : {}),
    ...(bodyText(record.body) !== undefined ? { message: bodyText(record.body) } : {}),
    ...(record.severityText ? { 'log.level': record.severityText } : {}),
    ...(record.severityNumber !== undefined ? { 'event.severity': record.severityNumber } : {}),
    ...(record.eventName ? { 'event.action': record.eventName } : {}),
    ...renamed(record.resourceAttributes, RESOURCE_RENAMES),
    ...renamed(record.attributes, SPAN_RENAMES),
  };
}

export const ecsLogSchema: LogSchema = {
  name: SCHEMA,
  producer: 'ECS loggers (ecs-logging) and the OpenTelemetry Collector elasticsearch exporter, ecs mode',
  paths: ECS_LOG_PATHS,
  // Spans have span.name; APM documents carry processor.event; otel-data aliases trace.id.
  detect: (catalog) => (catalog.get('trace.id')?.type === 'alias' ? { score: 0, evidence: [] } : detectLogFields(catalog, ['trace.id', '@timestamp'], ['message', 'log.level'], ['span.name', 'processor.event', 'trace_id'])),
  readHit: (hit) => ecsDocumentToLog(hit),
  writeLogs: (records, indexBase) => records.map((record) => ({ index: logsIndexOf(indexBase), document: logToEcsDocument(record) })),
  producerMapping: () => 'dynamic',
  indexSetups: (indexBase) => [{ index: logsIndexOf(indexBase), body: {} }],
};
