/**
 * Logs queries: the log lines of a trace, a span, a service, a severity or a text, in a time
 * window, from whichever producer's layout each logs index holds; and their volume over time.
 * Ids are matched as exact terms on the schema's id fields (never free-text phrases that
 * over-match), text as a literal phrase.
 */
import { incompleteAnswerWarnings } from '../engine/client';
import type { MappingByIndex } from '../proto/detect';
import { exactPath } from '../proto/fieldCatalog';
import { normaliseSpanId, storedSpanId, traceIdSearchForms, validateTraceId } from '../proto/ids';
import { describeUnknownLogs, type LogIndexGroup, type LogResolution, resolveLogSchemas } from '../proto/logDetect';
import type { LogicalLogRecord } from '../proto/model';
import type { JsonObject } from '../proto/schema';
import { startRange } from '../proto/schemaSupport';
import type { LogSchemaName } from '../types';
import type { TraceSearcher } from './fetchTrace';
import { checkedMappings, ExpiringCache, QueryError } from './resolve';
import type { TimeWindow } from './traceById';
import { OTEL_TEXT_MILLIS } from './painless';

export interface LogFilters {
  traceId?: string;
  spanId?: string;
  service?: string;
  severity?: string;
  text?: string;
}

export interface LogLine extends LogicalLogRecord {
  index: string;
  id: string;
}

export const DEFAULT_LOG_LIMIT = 1000;
export const MAX_LOG_LIMIT = 10_000;

interface MappingSource {
  mapping(indices: string): Promise<Record<string, { mappings?: JsonObject }>>;
  readonly description: string;
}

/** From a logs index pattern to the groups to query, or a message saying what is missing. */
export async function resolveLogsPattern(source: MappingSource, pattern: string, setting: 'auto' | LogSchemaName = 'auto'): Promise<LogResolution> {
  if (pattern.trim() === '') {
    throw new QueryError('no logs index pattern is given: set "Logs index pattern" in the data source settings, or --index on the command line (for example logs-*)');
  }
  const mappings = checkedMappings(await source.mapping(pattern), source, pattern) as MappingByIndex;
  if (Object.keys(mappings).length === 0) {
    throw new QueryError(`logs index pattern '${pattern}' matches no index on ${source.description}: check "Logs index pattern" in the data source settings, or --index on the command line`);
  }
  const resolution = resolveLogSchemas(pattern, mappings, setting);
  if (resolution.groups.length === 0) {
    throw new QueryError(describeUnknownLogs(resolution));
  }
  return resolution;
}

/** Validated, normalised filters; ids are checked before anything reaches the engine. */
export function checkLogFilters(filters: LogFilters): LogFilters {
  const checked: LogFilters = {};
  const trimmed = (value?: string) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const traceId = trimmed(filters.traceId);
  if (traceId !== undefined) {
    const check = validateTraceId(traceId);
    if (!check.ok) {
      throw new QueryError(check.message);
    }
    checked.traceId = check.id;
  }
  const spanId = trimmed(filters.spanId);
  if (spanId !== undefined) {
    // A shared span's second half (Zipkin's server half) has its logs under the id it is stored as.
    const normalised = normaliseSpanId(storedSpanId(spanId));
    if (!normalised || !/^[0-9a-f]+$/.test(normalised)) {
      throw new QueryError(`'${spanId}' is not a span id: use 16 hexadecimal digits`);
    }
    checked.spanId = normalised;
  }
  checked.service = trimmed(filters.service);
  checked.severity = trimmed(filters.severity);
  checked.text = trimmed(filters.text);
  return checked;
}

/** The spellings producers use for one severity name (`error`, `ERROR`, `Error`). */
function severityForms(severity: string): string[] {
  const lower = severity.toLowerCase();
  return [...new Set([severity, lower, lower.toUpperCase(), lower.charAt(0).toUpperCase() + lower.slice(1)])];
}

function anyOf(clauses: JsonObject[]): JsonObject {
  return clauses.length === 1 ? clauses[0] : { bool: { should: clauses, minimum_should_match: 1 } };
}

const MATCH_NONE: JsonObject = { bool: { must_not: [{ match_all: {} }] } };

/** Exact terms on every mapped form of `paths`; none mapped means nothing can match. */
function exactTerms(group: LogIndexGroup, paths: string[], values: string[]): JsonObject {
  const exact = paths.map((path) => exactPath(group.catalog, path)).filter((path): path is string => path !== undefined);
  return exact.length === 0 ? MATCH_NONE : anyOf(exact.map((path) => (values.length === 1 ? { term: { [path]: values[0] } } : { terms: { [path]: values } })));
}

/** Body text as a literal phrase on analysed fields, a case-insensitive wildcard on keyword ones. */
function textClause(group: LogIndexGroup, text: string): JsonObject {
  const clauses: JsonObject[] = [];
  for (const path of group.schema.paths.body) {
    const info = group.catalog.get(path);
    if (info?.type === 'text' || info?.type === 'match_only_text') {
      clauses.push({ match_phrase: { [path]: text } });
    } else if (info?.type === 'keyword' || info?.type === 'wildcard') {
      clauses.push({ wildcard: { [path]: { value: `*${text.replace(/[\\*?]/g, (c) => `\\${c}`)}*`, case_insensitive: true } } });
    }
  }
  return clauses.length === 0 ? MATCH_NONE : anyOf(clauses);
}

/** The filter clauses of one logs group. Pure. */
export function logFilterClauses(group: LogIndexGroup, filters: LogFilters, window?: TimeWindow): { filter: JsonObject[]; mustNot: JsonObject[]; warnings: string[] } {
  const { paths } = group.schema;
  const filter: JsonObject[] = [];
  const warnings: string[] = [];
  if (window) {
    const range = startRange(group.catalog, paths.time, paths.timeUnit, window.fromNs, window.toNs);
    if (range) {
      filter.push(range);
    } else {
      // Unfiltered it would answer for all time: nothing of this group is searched, and that is said.
      filter.push({ bool: { must_not: [{ match_all: {} }] } });
      warnings.push(`skipped ${group.indices.join(', ')}: its time '${paths.time}' is not mapped as a date, a number or "ms.ns" text with a keyword, so it cannot be filtered by time`);
    }
  }
  if (filters.traceId) {
    // Every stored form of the id (32 digits, or 16 for 64-bit ids), as for traces.
    filter.push(exactTerms(group, [paths.traceId], traceIdSearchForms(filters.traceId)));
  }
  if (filters.spanId) {
    filter.push(exactTerms(group, paths.spanIds, [filters.spanId]));
  }
  if (filters.service) {
    filter.push(exactTerms(group, paths.service, [filters.service]));
  }
  if (filters.severity) {
    filter.push(paths.severityText ? exactTerms(group, [paths.severityText], severityForms(filters.severity)) : MATCH_NONE);
  }
  if (filters.text) {
    filter.push(textClause(group, filters.text));
  }
  return { filter, mustNot: group.schema.notLogs ? [group.schema.notLogs] : [], warnings };
}

/** Which lines a limit keeps: the newest (the default) or the oldest of the window. */
export type LogOrder = 'newest' | 'oldest';

/**
 * By the time (by its keyword where the exporter's "ms.ns" text is dynamically mapped), newest or
 * oldest first. No `_id` tie-breaker: Elasticsearch 8 and later refuse its fielddata by default.
 */
function byTime(group: LogIndexGroup, order: LogOrder): JsonObject[] {
  const { time } = group.schema.paths;
  const type = group.catalog.get(time)?.type;
  const field = type === 'text' ? exactPath(group.catalog, time) : time;
  const direction = order === 'newest' ? 'desc' : 'asc';
  return field ? [{ [field]: type === 'date' || type === 'date_nanos' ? { order: direction, numeric_type: 'date' } : direction }] : [];
}

export function buildLogsRequest(group: LogIndexGroup, filters: LogFilters, window: TimeWindow | undefined, limit: number, order: LogOrder = 'newest'): { body: JsonObject; warnings: string[] } {
  const clauses = logFilterClauses(group, filters, window);
  return {
    body: { size: limit, track_total_hits: false, query: { bool: { filter: clauses.filter, must_not: clauses.mustNot } }, sort: byTime(group, order) },
    warnings: clauses.warnings,
  };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface LogsOptions {
  resolution: LogResolution;
  filters: LogFilters;
  window?: TimeWindow;
  limit?: number;
  /** Keep the newest lines of the window (default) or the oldest; the answer is newest first either way. */
  order?: LogOrder;
}

/** Newest first; lines of one instant keep one order on every run: by index and id. */
export function compareNewestFirst(a: Pick<LogLine, 'timeUnixNano' | 'index' | 'id'>, b: Pick<LogLine, 'timeUnixNano' | 'index' | 'id'>): number {
  return a.timeUnixNano > b.timeUnixNano ? -1 : a.timeUnixNano < b.timeUnixNano ? 1 : compareText(`${a.index}/${a.id}`, `${b.index}/${b.id}`);
}

/** The newest (or oldest) `limit` matching log lines over every logs group, newest first. */
export async function searchLogs(searcher: TraceSearcher, options: LogsOptions): Promise<{ lines: LogLine[]; warnings: string[] }> {
  const limit = options.limit ?? DEFAULT_LOG_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_LIMIT) {
    throw new QueryError(`limit '${options.limit}' must be a whole number from 1 to ${MAX_LOG_LIMIT}`);
  }
  const filters = checkLogFilters(options.filters);
  const lines: LogLine[] = [];
  const warnings: string[] = [];
  const skipped: string[] = [];
  for (const group of options.resolution.groups) {
    const request = buildLogsRequest(group, filters, options.window, limit, options.order);
    warnings.push(...request.warnings);
    const response = await searcher.search(group.indices.join(','), request.body);
    warnings.push(...incompleteAnswerWarnings(response));
    for (const hit of response.hits?.hits ?? []) {
      const record = group.schema.readHit(hit);
      if (typeof record === 'string') {
        skipped.push(record);
      } else {
        lines.push({ ...record, index: hit._index, id: hit._id });
      }
    }
  }
  if (skipped.length > 0) {
    warnings.push(`${skipped.length} log documents could not be read (first: ${skipped[0]})`);
  }
  lines.sort(compareNewestFirst);
  const kept = options.order === 'oldest' ? lines.slice(Math.max(0, lines.length - limit)) : lines.slice(0, limit);
  return { lines: kept, warnings: [...new Set(warnings)] };
}

export interface VolumeBucket {
  /** Bucket start, epoch ms. */
  timeMs: number;
  /** Lines per severity (as stored; `unknown` when none). */
  counts: Record<string, number>;
}

/** A painless script turning the exporter's "ms.ns" keyword into epoch ms, for histograms (no stored field holds a number). */
const TEXT_MILLIS = `${OTEL_TEXT_MILLIS}\ndef v = doc[params.field]; if (v.size() == 0) { return null; } double m = otelTextMillis(v.value); return Double.isNaN(m) ? null : m;`;

/** Counts per interval and severity for the same filters. Pure request builder. */
export function buildVolumeRequest(group: LogIndexGroup, filters: LogFilters, window: TimeWindow, intervalMs: number): { body: JsonObject; warnings: string[] } | undefined {
  const { paths } = group.schema;
  const clauses = logFilterClauses(group, filters, window);
  const type = group.catalog.get(paths.time)?.type;
  let histogram: JsonObject;
  if (type === 'date' || type === 'date_nanos') {
    histogram = { date_histogram: { field: paths.time, fixed_interval: `${intervalMs}ms`, min_doc_count: 1 } };
  } else if (type === 'long' && paths.timeUnit === 'micros') {
    histogram = { histogram: { field: paths.time, interval: intervalMs * 1000, min_doc_count: 1 } };
  } else if (type === 'text' && exactPath(group.catalog, paths.time) && paths.timeUnit === 'otelMillisString') {
    histogram = { histogram: { script: { lang: 'painless', source: TEXT_MILLIS, params: { field: exactPath(group.catalog, paths.time) } }, interval: intervalMs, min_doc_count: 1 } };
  } else {
    return undefined;
  }
  const severity = paths.severityText ? exactPath(group.catalog, paths.severityText) : undefined;
  const aggs: JsonObject = { volume: { ...histogram, ...(severity ? { aggs: { severity: { terms: { field: severity, size: 20, missing: 'unknown' } } } } : {}) } };
  return { body: { size: 0, track_total_hits: false, query: { bool: { filter: clauses.filter, must_not: clauses.mustNot } }, aggs }, warnings: clauses.warnings };
}

interface VolumeAggregation {
  buckets?: Array<{ key: number; doc_count: number; severity?: { buckets?: Array<{ key: string; doc_count: number }> } }>;
}

export async function logsVolume(searcher: TraceSearcher, options: LogsOptions & { window: TimeWindow; intervalMs: number }): Promise<{ buckets: VolumeBucket[]; warnings: string[] }> {
  const filters = checkLogFilters(options.filters);
  const byTime = new Map<number, Record<string, number>>();
  const warnings: string[] = [];
  for (const group of options.resolution.groups) {
    const request = buildVolumeRequest(group, filters, options.window, options.intervalMs);
    if (!request) {
      warnings.push(`${group.indices.join(', ')}: the log time cannot be bucketed in this mapping`);
      continue;
    }
    warnings.push(...request.warnings);
    const response = await searcher.search(group.indices.join(','), request.body);
    warnings.push(...incompleteAnswerWarnings(response));
    const micros = group.schema.paths.timeUnit === 'micros';
    for (const bucket of (response.aggregations?.volume as VolumeAggregation | undefined)?.buckets ?? []) {
      const timeMs = micros ? bucket.key / 1000 : bucket.key;
      const counts = byTime.get(timeMs) ?? {};
      const severities = bucket.severity?.buckets ?? [{ key: 'unknown', doc_count: bucket.doc_count }];
      for (const severity of severities) {
        counts[String(severity.key)] = (counts[String(severity.key)] ?? 0) + severity.doc_count;
      }
      byTime.set(timeMs, counts);
    }
  }
  const buckets = [...byTime.entries()].sort(([a], [b]) => a - b).map(([timeMs, counts]) => ({ timeMs, counts }));
  return { buckets, warnings: [...new Set(warnings)] };
}

/** Logs detection results kept for five minutes per pattern and setting, like span resolutions. */
export class LogResolutionCache {
  private readonly cache = new ExpiringCache<LogResolution>();

  get(source: MappingSource, pattern: string, setting: 'auto' | LogSchemaName): Promise<LogResolution> {
    return this.cache.get(`${setting}\u0000${pattern}`, () => resolveLogsPattern(source, pattern, setting));
  }

  clear(): void {
    this.cache.clear();
  }
}
