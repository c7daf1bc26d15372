/**
 * `custom`: a layout described field by field in the data source settings, for spans no producer
 * preset matches. Paths are checked against the mapping; values are read leniently (ISO or epoch
 * times in any unit, numeric or named status codes) and anything unreadable becomes a warning.
 */
import type { FieldOverrides } from '../types';
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { readParentSpanId } from './ids';
import { type LogicalSpan, UNKNOWN_SERVICE } from './model';
import type { SpanSchema, StoredHit } from './schema';
import { flattenObject, pagingSort, readEachHit, readIso, readKind, readNanos, readStatusCode, readString, requireIds, startRange } from './schemaSupport';
import { parseOtelMillisNanos } from './time';

const REQUIRED: Array<keyof FieldOverrides> = ['traceId', 'spanId', 'start'];
const PATH_KEYS: Array<keyof FieldOverrides> = ['traceId', 'spanId', 'parentSpanId', 'serviceName', 'name', 'start', 'duration', 'statusCode'];

/** What is wrong with a custom layout for one index's mapping; empty when it is usable. */
export function checkOverrides(overrides: FieldOverrides | undefined, catalog: FieldCatalog): string[] {
  const problems: string[] = [];
  for (const key of REQUIRED) {
    if (!overrides?.[key]) {
      problems.push(`the ${key} field is not set`);
    }
  }
  for (const key of PATH_KEYS) {
    const path = overrides?.[key];
    if (path && !catalog.has(path)) {
      problems.push(`${key} field '${path}' is not in the mapping`);
    }
  }
  const prefix = overrides?.attributesPrefix;
  if (prefix && ![...catalog.keys()].some((path) => path === prefix || path.startsWith(`${prefix}.`))) {
    problems.push(`attributes prefix '${prefix}' matches no field in the mapping`);
  }
  return problems;
}

/** Epoch numbers in any unit, judged by magnitude; ISO 8601; otel "ms.ns" strings. */
export function readLenientTime(value: unknown): bigint | undefined {
  if (typeof value === 'string' && !/^\d+(\.\d+)?$/.test(value)) {
    return readIso(value);
  }
  if (typeof value === 'string' && value.includes('.')) {
    return parseOtelMillisNanos(value);
  }
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(number) || number <= 0) {
    return undefined;
  }
  const unit = number >= 1e17 ? 'ns' : number >= 1e14 ? 'us' : number >= 1e11 ? 'ms' : undefined;
  return unit ? readNanos(typeof value === 'string' ? value : Math.trunc(number), unit) : readNanos(Math.trunc(number * 1000), 'ms');
}

function customStatus(value: unknown) {
  if (value === true || value === 'failure') {
    return 2;
  }
  return value === 'success' ? 1 : readStatusCode(value);
}

export function customSchema(overrides: FieldOverrides): SpanSchema {
  const paths = {
    traceId: overrides.traceId ?? '',
    spanId: overrides.spanId ?? '',
    parentSpanId: overrides.parentSpanId ?? '',
    name: overrides.name ?? '',
    serviceName: overrides.serviceName ?? '',
    start: overrides.start ?? '',
    duration: overrides.duration,
    statusCode: overrides.statusCode ?? '',
  };
  const read = (hit: StoredHit): LogicalSpan | string => {
    const source = hit._source ?? {};
    const ids = requireIds(hit, readPath(source, paths.traceId), readPath(source, paths.spanId));
    if (typeof ids === 'string') {
      return ids;
    }
    const start = readLenientTime(readPath(source, paths.start));
    if (start === undefined) {
      return `document ${hit._index}/${hit._id} has no readable '${paths.start}'`;
    }
    const warnings: string[] = [];
    const duration = paths.duration ? readNanos(readPath(source, paths.duration), overrides.durationUnit ?? 'ns') : undefined;
    if (duration === undefined) {
      warnings.push(paths.duration ? `'${paths.duration}' holds no valid duration; shown as 0` : 'no duration field is configured; shown as 0');
    }
    const service = paths.serviceName ? readString(source, paths.serviceName) : undefined;
    return {
      traceId: ids.traceId,
      spanId: ids.spanId,
      parentSpanId: paths.parentSpanId ? readParentSpanId(readPath(source, paths.parentSpanId), warnings) : undefined,
      name: (paths.name && readString(source, paths.name)) || '',
      serviceName: service ?? UNKNOWN_SERVICE,
      kind: readKind(undefined),
      startTimeUnixNano: start,
      durationNano: duration ?? BigInt(0),
      statusCode: paths.statusCode ? customStatus(readPath(source, paths.statusCode)) : 0,
      attributes: overrides.attributesPrefix ? flattenObject(readPath(source, overrides.attributesPrefix)) : {},
      resourceAttributes: { 'service.name': service ?? UNKNOWN_SERVICE },
      events: [],
      links: [],
      source: { schema: 'custom', index: hit._index, id: hit._id, warnings },
    };
  };
  return {
    name: 'custom',
    producer: 'a custom layout from the data source settings',
    paths,
    search: {
      durations: paths.duration ? [{ field: paths.duration, unit: overrides.durationUnit ?? 'ns' }] : [],
      start: { field: paths.start, unit: 'date' },
      status: { style: 'field', field: paths.statusCode, error: [2, 'Error', 'ERROR', 'STATUS_CODE_ERROR', 'failure', true], ok: [1, 'Ok', 'OK', 'STATUS_CODE_OK', 'success'] },
      attributes: { style: 'fields', prefixes: overrides.attributesPrefix ? [{ prefix: `${overrides.attributesPrefix}.` }] : [] },
    },
    detect: () => ({ schema: 'custom', score: 0, evidence: [] }),
    timeRange: (catalog, fromNs, toNs) => {
      const type = catalog.get(paths.start)?.type;
      // A numeric start field's unit is unknown here, so only date fields narrow by time.
      return type === 'date' || type === 'date_nanos' ? startRange(catalog, paths.start, 'date', fromNs, toNs) : undefined;
    },
    pagingSort: (catalog) => pagingSort(catalog, paths.start, paths.spanId),
    readHits: (hits) => readEachHit(hits, read),
    writeSpans: () => {
      throw new Error('a custom layout is read-only: ingest with one of the producer schemas');
    },
    producerMapping: () => 'dynamic',
    indexSetups: () => [],
  };
}
