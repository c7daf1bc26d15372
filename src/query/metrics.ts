/**
 * Span metrics (rate, errors, duration percentiles) over time, computed by the engine from the
 * stored spans: one aggregation request per index group, a histogram over the start with, per
 * bucket, a terms split by service or operation, an error filter and duration percentiles.
 * Percentiles come from the engine's TDigest and are as accurate as it documents. Pure request
 * builders and readers, and the function that runs them.
 */
import { incompleteAnswerWarnings, type SearchResponse } from '../engine/client';
import type { IndexGroup, Resolution } from '../proto/detect';
import type { JsonObject, TimeUnit } from '../proto/schema';
import { nanosToMillis } from '../proto/time';
import type { TraceSearcher } from './fetchTrace';
import { QueryError } from './resolve';
import { exactFields, type SpanFilters, spanFilterClauses, startSource, statusClause, timeUnfilterable } from './searchClauses';
import type { TimeWindow } from './traceById';

export type MetricsGroupBy = 'service' | 'operation';

export interface MetricsOptions {
  resolution: Resolution;
  window: TimeWindow;
  stepMs: number;
  filters: SpanFilters;
  groupBy?: MetricsGroupBy;
}

export interface MetricsBucket {
  /** Bucket start, epoch ms. */
  time: number;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

export interface MetricsSeries {
  group: string;
  buckets: MetricsBucket[];
}

const PERCENTS = [50, 90, 99];
const GROUPS = 100;
const NUMBER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const DATE_TYPES = new Set(['date', 'date_nanos']);
const MS_PER: Record<TimeUnit, number> = { ns: 1e-6, us: 1e-3, ms: 1 };
const ALL = 'all spans';
/** The group of spans without the grouping field: counted, never dropped. */
const NO_GROUP = '(none)';

interface Built {
  body: JsonObject;
  /** The aggregated start of a bucket key to epoch ms, and a duration percentile to ms. */
  startToMs: (key: number) => number;
  durationToMs: number;
  warnings: string[];
}

/** The request for one group, or why the group cannot answer. Pure. */
export function buildMetricsRequest(group: IndexGroup, options: Omit<MetricsOptions, 'resolution'>): Built | { skipped: string } {
  const where = group.indices.join(', ');
  const clauses = spanFilterClauses(group, options.filters);
  if (!clauses.ok) {
    return { skipped: `skipped ${where}: ${clauses.reason}` };
  }
  const range = group.schema.timeRange(group.catalog, options.window.fromNs, options.window.toNs);
  if (!range) {
    return { skipped: `skipped ${timeUnfilterable(group)}` };
  }
  const start = startSource(group);
  const startField = group.schema.search?.start.field;
  if (!start || !startField) {
    return { skipped: `skipped ${where}: its start time cannot be aggregated in this mapping` };
  }
  const durations = (group.schema.search?.durations ?? []).filter((duration) => NUMBER_TYPES.has(group.catalog.get(duration.field)?.type ?? ''));
  if (durations.length === 0) {
    return { skipped: `skipped ${where}: no stored duration field to compute percentiles from` };
  }
  const warnings = durations.length > 1 ? [`${where}: durations are those of '${durations[0].field}' only (${durations.slice(1).map((d) => d.field).join(', ')} not included)`] : [];
  const fromMs = Math.floor(nanosToMillis(options.window.fromNs));
  const toMs = Math.floor(nanosToMillis(options.window.toNs));
  // toMs(value) = value / unitsPerMs for the aggregated start (1, 1,000 or 1,000,000, rounded so
  // epoch values divide exactly); the step and bounds in the same unit.
  const unitsPerMs = Math.round(1 / start.toMs(1));
  const isDate = DATE_TYPES.has(group.catalog.get(startField)?.type ?? '');
  const histogram = isDate
    ? { date_histogram: { field: startField, fixed_interval: `${options.stepMs}ms`, min_doc_count: 0, extended_bounds: { min: fromMs, max: toMs } } }
    : { histogram: { ...start.agg, interval: options.stepMs * unitsPerMs, min_doc_count: 0, extended_bounds: { min: fromMs * unitsPerMs, max: toMs * unitsPerMs } } };
  const perBucket: JsonObject = { errors: { filter: statusClause(group, 'error') }, duration: { percentiles: { field: durations[0].field, percents: PERCENTS } } };
  const groupFields = options.groupBy === 'service' ? exactFields(group, 'serviceName') : options.groupBy === 'operation' ? exactFields(group, 'name') : [];
  if (options.groupBy && groupFields.length === 0) {
    return { skipped: `skipped ${where}: the ${options.groupBy} field cannot be aggregated in this mapping` };
  }
  if (groupFields.length > 1) {
    // One terms aggregation reads one field: spans named in another are counted, under a group that says so.
    warnings.push(`${where}: grouped by '${groupFields[0]}'; spans with the ${options.groupBy} in ${groupFields.slice(1).map((field) => `'${field}'`).join(', ')} are counted under '${NO_GROUP}'`);
  }
  const inner = groupFields.length > 0 ? { groups: { terms: { field: groupFields[0], size: GROUPS, missing: NO_GROUP }, aggs: perBucket } } : perBucket;
  return {
    body: { size: 0, track_total_hits: false, query: { bool: { filter: [range, ...clauses.filter], must_not: clauses.mustNot } }, aggs: { time: { ...histogram, aggs: inner } } },
    startToMs: (key) => (isDate ? key : key / unitsPerMs),
    durationToMs: MS_PER[durations[0].unit],
    warnings,
  };
}

interface BucketAggs {
  doc_count: number;
  errors?: { doc_count: number };
  duration?: { values?: Record<string, number | null> };
}

type TimeBucket = BucketAggs & { key: number; groups?: { buckets?: Array<BucketAggs & { key: string | number }>; sum_other_doc_count?: number } };

/** Series from one group's answer, keyed by group name. Pure. */
export function readMetricsResponse(response: SearchResponse, built: Built): { series: Map<string, MetricsBucket[]>; times: number[]; warnings: string[] } {
  const series = new Map<string, MetricsBucket[]>();
  const times = new Set<number>();
  const warnings: string[] = [];
  const percentile = (aggs: BucketAggs, percent: number) => {
    const value = aggs.duration?.values?.[percent.toFixed(1)];
    return typeof value === 'number' ? value * built.durationToMs : null;
  };
  const add = (name: string, time: number, aggs: BucketAggs) => {
    const buckets = series.get(name) ?? [];
    buckets.push({ time, requests: aggs.doc_count, errors: aggs.errors?.doc_count ?? 0, p50Ms: percentile(aggs, 50), p90Ms: percentile(aggs, 90), p99Ms: percentile(aggs, 99) });
    series.set(name, buckets);
  };
  for (const bucket of ((response.aggregations?.time as { buckets?: TimeBucket[] } | undefined)?.buckets ?? [])) {
    const time = built.startToMs(bucket.key);
    if (!bucket.groups) {
      add(ALL, time, bucket);
      continue;
    }
    for (const inner of bucket.groups.buckets ?? []) {
      add(String(inner.key), time, inner);
    }
    times.add(time);
    if ((bucket.groups.sum_other_doc_count ?? 0) > 0) {
      warnings.push(`more than ${GROUPS} groups: only the ${GROUPS} largest of each interval are shown`);
    }
  }
  return { series, times: [...times], warnings };
}

/** Rate, errors and duration percentiles per interval, per group, over every index group. */
export async function spanMetrics(searcher: TraceSearcher, options: MetricsOptions): Promise<{ series: MetricsSeries[]; warnings: string[] }> {
  const warnings: string[] = [];
  const merged = new Map<string, Map<number, MetricsBucket>>();
  const allTimes = new Set<number>();
  let answered = 0;
  for (const group of options.resolution.groups) {
    const built = buildMetricsRequest(group, options);
    if ('skipped' in built) {
      warnings.push(built.skipped);
      continue;
    }
    answered++;
    warnings.push(...built.warnings);
    const response = await searcher.search(group.indices.join(','), built.body);
    warnings.push(...incompleteAnswerWarnings(response));
    const read = readMetricsResponse(response, built);
    warnings.push(...read.warnings);
    read.times.forEach((time) => allTimes.add(time));
    for (const [name, buckets] of read.series) {
      const byTime = merged.get(name) ?? new Map<number, MetricsBucket>();
      for (const bucket of buckets) {
        const known = byTime.get(bucket.time);
        if (known && known.requests > 0 && bucket.requests > 0) {
          // Percentiles of two groups do not add up: the larger group's stand, and that is said.
          warnings.push(`'${name}' has spans in more than one index group: its percentiles are those of the group with more spans in each interval`);
        }
        const keepPercentiles = !known || bucket.requests > known.requests;
        byTime.set(bucket.time, {
          time: bucket.time,
          requests: (known?.requests ?? 0) + bucket.requests,
          errors: (known?.errors ?? 0) + bucket.errors,
          p50Ms: keepPercentiles ? bucket.p50Ms : known.p50Ms,
          p90Ms: keepPercentiles ? bucket.p90Ms : known.p90Ms,
          p99Ms: keepPercentiles ? bucket.p99Ms : known.p99Ms,
        });
      }
      merged.set(name, byTime);
    }
  }
  if (answered === 0) {
    throw new QueryError(`no index group can answer span metrics: ${warnings.join('; ') || 'no span indices'}`);
  }
  // An interval where a group had no span is a zero rate, not a gap.
  const times = [...new Set([...allTimes, ...[...merged.values()].flatMap((byTime) => [...byTime.keys()])])].sort((a, b) => a - b);
  const series = [...merged.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, byTime]) => ({ group, buckets: times.map((time) => byTime.get(time) ?? { time, requests: 0, errors: 0, p50Ms: null, p90Ms: null, p99Ms: null }) }));
  return { series, warnings: [...new Set(warnings)] };
}
