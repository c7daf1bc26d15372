/**
 * Span metrics (rate, errors, duration percentiles), computed by the engine from the stored spans
 * with one aggregation request per index group: over time (a histogram over the start with, per
 * bucket, a split by service, operation or attribute, an error filter and duration percentiles),
 * or as a table per service and operation over the whole range. Percentiles come from the
 * engine's TDigest and are as accurate as it documents. Pure request builders and readers, the
 * checks of what a user asks for, and the functions that run them.
 */
import { incompleteAnswerWarnings, type SearchResponse } from '../engine/client';
import type { IndexGroup, Resolution } from '../proto/detect';
import type { JsonObject, TimeUnit } from '../proto/schema';
import { nanosToMillis } from '../proto/time';
import type { TraceSearcher } from './fetchTrace';
import { FilterError } from './filters';
import { type AggBucket, type GroupSplit, groupSplit, type MetricsGroupBy } from './metricsGroups';
import { QueryError } from './resolve';
import { FILTER_KINDS, type FilterKind, rangedSpanClauses, type SpanFilters, startSource, statusClause } from './searchClauses';
import type { TimeWindow } from './traceById';

export { groupKeyName, type MetricsGroupBy } from './metricsGroups';

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

/** One row of the operations table: a service's operation over the whole range. */
export interface OperationRow {
  service: string;
  operation: string;
  requests: number;
  /** Requests per second over the range. */
  ratePerSecond: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

const SERIES_PERCENTS = [50, 90, 99];
const TABLE_PERCENTS = [50, 95, 99];
/**
 * Engines refuse answers of more than 65,535 buckets (search.max_buckets): groups per interval are
 * at most 100, fewer on long series; the table has at most 100 services of 500 operations each.
 */
const GROUPS = 100;
const SERIES_BUCKETS = 50_000;
const TABLE_SERVICES = 100;
const TABLE_OPERATIONS = 500;
const NUMBER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const DATE_TYPES = new Set(['date', 'date_nanos']);
const MS_PER: Record<TimeUnit, number> = { ns: 1e-6, us: 1e-3, ms: 1 };
const ALL = 'all spans';

// ---- what the user asks for ----------------------------------------------------------------

/**
 * `service`, `operation`, or an attribute key (written `attribute:KEY` where the key itself is
 * `service` or `operation`); blank is no grouping.
 */
export function parseGroupBy(text: string | undefined): MetricsGroupBy | undefined {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') {
    return undefined;
  }
  if (trimmed === 'service' || trimmed === 'operation') {
    return trimmed;
  }
  const key = trimmed.startsWith('attribute:') ? trimmed.slice('attribute:'.length).trim() : trimmed;
  if (key === '') {
    throw new FilterError(`group by '${trimmed}' names no attribute: give service, operation or an attribute key`);
  }
  return `attribute:${key}`;
}

/** Span kinds, one or several (comma-separated, or a multi-value variable); blank is any kind. */
export function parseKinds(value: string | string[] | undefined): FilterKind | FilterKind[] | undefined {
  const names = (Array.isArray(value) ? value : (value ?? '').split(',')).map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!FILTER_KINDS.includes(name as FilterKind)) {
      throw new FilterError(`span kind '${name}' is not one of ${FILTER_KINDS.join(', ')}`);
    }
  }
  const kinds = [...new Set(names)] as FilterKind[];
  return kinds.length === 0 ? undefined : kinds.length === 1 ? kinds[0] : kinds;
}

// ---- intervals -----------------------------------------------------------------------------

/** Intervals one metrics request may ask for. */
export const MAX_METRIC_STEPS = 2000;

/** Without a step: whole seconds, about 60 intervals over the range. */
export function defaultStepMs(rangeMs: number): number {
  return Math.max(1000, Math.ceil(rangeMs / 60 / 1000) * 1000);
}

/** A step the user typed (`shown`), or why it cannot serve the range. */
export function checkStepMs(rangeMs: number, stepMs: number, shown: string): number {
  if (!(stepMs >= 1)) {
    throw new FilterError(`${shown} is shorter than a millisecond`);
  }
  if (rangeMs / stepMs > MAX_METRIC_STEPS) {
    throw new FilterError(`${shown} makes ${Math.ceil(rangeMs / stepMs)} intervals; at most ${MAX_METRIC_STEPS} are allowed: take a longer step or a shorter range`);
  }
  return Math.round(stepMs);
}

/**
 * A panel's interval (Grafana's intervalMs) as the step: a whole number of milliseconds, at least
 * a second, and widened to whole seconds where the range would hold more than MAX_METRIC_STEPS
 * intervals, as Grafana widens intervals to the panel's data points.
 */
export function panelStepMs(rangeMs: number, intervalMs: number | undefined): number {
  const stepMs = Math.max(1000, Math.round(intervalMs ?? 0));
  return rangeMs / stepMs > MAX_METRIC_STEPS ? Math.ceil(rangeMs / MAX_METRIC_STEPS / 1000) * 1000 : stepMs;
}

// ---- what both requests share --------------------------------------------------------------

/** A stored duration field, and what turns its values into ms. */
interface Timing {
  field: string;
  toMs: number;
}

interface SpanScope {
  query: JsonObject;
  /** Where spans are timed: one field, or several of which each span has one (APM's transactions and spans). */
  durations: Timing[];
  warnings: string[];
}

/** The spans one index group counts (filters and time range) and its duration field, or why the group cannot answer. */
function spanScope(group: IndexGroup, filters: SpanFilters, window: TimeWindow): SpanScope | { skipped: string } {
  const where = group.indices.join(', ');
  const clauses = rangedSpanClauses(group, filters, window);
  if ('skipped' in clauses) {
    return clauses;
  }
  const durations = (group.schema.search?.durations ?? []).filter((duration) => NUMBER_TYPES.has(group.catalog.get(duration.field)?.type ?? ''));
  if (durations.length === 0) {
    return { skipped: `skipped ${where}: no stored duration field to compute percentiles from` };
  }
  return {
    query: { bool: { filter: clauses.filter, must_not: clauses.mustNot } },
    durations: durations.map((duration) => ({ field: duration.field, toMs: MS_PER[duration.unit] })),
    warnings: clauses.warnings,
  };
}

/**
 * What every group of spans is measured by: its errors and its duration percentiles. One
 * percentiles aggregation reads one field, so where spans are timed in several, each field has
 * its own over the spans it times.
 */
function measures(group: IndexGroup, durations: Timing[], percents: number[]): JsonObject {
  const errors = { filter: statusClause(group, 'error') };
  if (durations.length === 1) {
    return { errors, duration: { percentiles: { field: durations[0].field, percents } } };
  }
  const perField: JsonObject = {};
  durations.forEach((timing, i) => {
    perField[`duration_${i}`] = { filter: { exists: { field: timing.field } }, aggs: { duration: { percentiles: { field: timing.field, percents } } } };
  });
  return { errors, ...perField };
}

interface Measured {
  requests: number;
  errors: number;
  percentilesMs: Array<number | null>;
  /** How many duration fields time spans of the group: beyond one, the percentiles are those of the field timing most. */
  timedIn: number;
}

function measured(bucket: AggBucket, percents: number[], durations: Timing[]): Measured {
  let timed: AggBucket | undefined = bucket;
  let toMs = durations[0].toMs;
  let timedIn = 1;
  if (durations.length > 1) {
    const parts = durations.map((timing, i) => ({ timing, part: bucket[`duration_${i}`] as AggBucket | undefined })).filter(({ part }) => (part?.doc_count ?? 0) > 0);
    const most = parts.sort((a, b) => (b.part?.doc_count ?? 0) - (a.part?.doc_count ?? 0))[0];
    [timed, toMs, timedIn] = [most?.part, most?.timing.toMs ?? 0, parts.length];
  }
  const values = (timed?.duration as { values?: Record<string, number | null> } | undefined)?.values;
  return {
    requests: bucket.doc_count ?? 0,
    errors: (bucket.errors as { doc_count?: number } | undefined)?.doc_count ?? 0,
    percentilesMs: percents.map((percent) => {
      const value = values?.[percent.toFixed(1)];
      return typeof value === 'number' ? value * toMs : null;
    }),
    timedIn,
  };
}

/** `named`: the group, quoted. */
const mixedTimingWarning = (where: string, named: string, durations: Timing[]) =>
  `${where}: ${named} has spans timed in ${durations.map((timing) => `'${timing.field}'`).join(' and ')}: its percentiles are those of the field that times more of them`;

/**
 * Two parts of one group (read from two places, or from two index groups): counts add up, but
 * percentiles do not, so the larger part's stand; `mixed` says when both parts had spans.
 */
function mergeParts<T extends { requests: number; errors: number }>(known: T | undefined, part: T): { merged: T; mixed: boolean } {
  if (!known) {
    return { merged: part, mixed: false };
  }
  const larger = part.requests > known.requests ? part : known;
  return { merged: { ...larger, requests: known.requests + part.requests, errors: known.errors + part.errors }, mixed: known.requests > 0 && part.requests > 0 };
}

function splitWarnings(where: string, split: GroupSplit, read: { truncated: boolean; overcounted: boolean }, size: number, what: string): string[] {
  const warnings: string[] = [];
  if (read.truncated) {
    warnings.push(`more than ${size} ${what}: only the ${size} largest are shown`);
  }
  if (read.overcounted) {
    warnings.push(`${where}: some spans have several values in ${split.places.join(', ')} and are counted under each`);
  }
  return warnings;
}

const mixedWarning = (where: string, name: string, split: GroupSplit, unit: string) =>
  `${where}: '${name}' is found in more than one of ${split.places.join(', ')}: its percentiles are those of the part with more spans ${unit}`;

// ---- over time -----------------------------------------------------------------------------

interface Built {
  body: JsonObject;
  where: string;
  split?: GroupSplit;
  groupsPerInterval: number;
  /** The aggregated start of a bucket key to epoch ms. */
  startToMs: (key: number) => number;
  durations: Timing[];
  warnings: string[];
}

/** The request for one group, or why the group cannot answer. Pure. */
export function buildMetricsRequest(group: IndexGroup, options: Omit<MetricsOptions, 'resolution'>): Built | { skipped: string } {
  const where = group.indices.join(', ');
  const scope = spanScope(group, options.filters, options.window);
  if ('skipped' in scope) {
    return scope;
  }
  const start = startSource(group);
  const startField = group.schema.search?.start.field;
  if (!start || !startField) {
    return { skipped: `skipped ${where}: its start time cannot be aggregated in this mapping` };
  }
  const fromMs = Math.floor(nanosToMillis(options.window.fromNs));
  const toMs = Math.floor(nanosToMillis(options.window.toNs));
  const groupsPerInterval = Math.max(1, Math.min(GROUPS, Math.floor(SERIES_BUCKETS / (Math.floor((toMs - fromMs) / options.stepMs) + 2))));
  const split = options.groupBy ? groupSplit(group, options.groupBy, groupsPerInterval) : undefined;
  if (split && 'skipped' in split) {
    return split;
  }
  // toMs(value) = value / unitsPerMs for the aggregated start (1, 1,000 or 1,000,000, rounded so
  // epoch values divide exactly); the step and bounds in the same unit.
  const unitsPerMs = Math.round(1 / start.toMs(1));
  const isDate = DATE_TYPES.has(group.catalog.get(startField)?.type ?? '');
  const histogram = isDate
    ? { date_histogram: { field: startField, fixed_interval: `${options.stepMs}ms`, min_doc_count: 0, extended_bounds: { min: fromMs, max: toMs } } }
    : { histogram: { ...start.agg, interval: options.stepMs * unitsPerMs, min_doc_count: 0, extended_bounds: { min: fromMs * unitsPerMs, max: toMs * unitsPerMs } } };
  const perGroup = measures(group, scope.durations, SERIES_PERCENTS);
  return {
    body: { size: 0, track_total_hits: false, query: scope.query, aggs: { time: { ...histogram, aggs: split ? split.aggs(perGroup) : perGroup } } },
    where,
    split,
    groupsPerInterval,
    startToMs: (key) => (isDate ? key : key / unitsPerMs),
    durations: scope.durations,
    warnings: [...scope.warnings, ...(split?.warnings ?? [])],
  };
}

/** Series from one group's answer, keyed by group name. Pure. */
export function readMetricsResponse(response: SearchResponse, built: Built): { series: Map<string, MetricsBucket[]>; times: number[]; warnings: string[] } {
  const series = new Map<string, MetricsBucket[]>();
  const times: number[] = [];
  const warnings: string[] = [];
  const seriesBucket = (name: string, time: number, bucket: AggBucket): MetricsBucket => {
    const { requests, errors, percentilesMs, timedIn } = measured(bucket, SERIES_PERCENTS, built.durations);
    if (timedIn > 1) {
      warnings.push(mixedTimingWarning(built.where, `'${name}'`, built.durations));
    }
    return { time, requests, errors, p50Ms: percentilesMs[0], p90Ms: percentilesMs[1], p99Ms: percentilesMs[2] };
  };
  for (const bucket of ((response.aggregations?.time as { buckets?: Array<AggBucket & { key: number }> } | undefined)?.buckets ?? [])) {
    const time = built.startToMs(bucket.key);
    times.push(time);
    if (!built.split) {
      series.set(ALL, [...(series.get(ALL) ?? []), seriesBucket(ALL, time, bucket)]);
      continue;
    }
    const read = built.split.read(bucket);
    warnings.push(...splitWarnings(built.where, built.split, read, built.groupsPerInterval, 'groups in an interval'));
    const inBucket = new Map<string, MetricsBucket>();
    for (const { name, bucket: part } of read.groups) {
      const { merged, mixed } = mergeParts(inBucket.get(name), seriesBucket(name, time, part));
      inBucket.set(name, merged);
      if (mixed) {
        warnings.push(mixedWarning(built.where, name, built.split, 'in each interval'));
      }
    }
    for (const [name, merged] of inBucket) {
      series.set(name, [...(series.get(name) ?? []), merged]);
    }
  }
  return { series, times, warnings: [...new Set(warnings)] };
}

/**
 * One request per index group, each answer read; skipped groups and every warning collected in
 * order. An error naming why when no group can answer `what`.
 */
async function perIndexGroup<B extends { body: JsonObject; warnings: string[] }, R extends { warnings: string[] }>(
  searcher: TraceSearcher,
  resolution: Resolution,
  what: string,
  build: (group: IndexGroup) => B | { skipped: string },
  read: (response: SearchResponse, built: B) => R
): Promise<{ answers: R[]; warnings: string[] }> {
  const warnings: string[] = [];
  const answers: R[] = [];
  for (const group of resolution.groups) {
    const built = build(group);
    if ('skipped' in built) {
      warnings.push(built.skipped);
      continue;
    }
    warnings.push(...built.warnings);
    const response = await searcher.search(group.indices.join(','), built.body);
    warnings.push(...incompleteAnswerWarnings(response));
    const answer = read(response, built);
    warnings.push(...answer.warnings);
    answers.push(answer);
  }
  if (answers.length === 0) {
    throw new QueryError(`no index group can answer ${what}: ${warnings.join('; ') || 'no span indices'}`);
  }
  return { answers, warnings };
}

/** Rate, errors and duration percentiles per interval, per group, over every index group. */
export async function spanMetrics(searcher: TraceSearcher, options: MetricsOptions): Promise<{ series: MetricsSeries[]; warnings: string[] }> {
  const { answers, warnings } = await perIndexGroup(searcher, options.resolution, 'span metrics', (group) => buildMetricsRequest(group, options), readMetricsResponse);
  const merged = new Map<string, Map<number, MetricsBucket>>();
  for (const [name, buckets] of answers.flatMap((answer) => [...answer.series])) {
    const byTime = merged.get(name) ?? new Map<number, MetricsBucket>();
    for (const bucket of buckets) {
      const { merged: sum, mixed } = mergeParts(byTime.get(bucket.time), bucket);
      byTime.set(bucket.time, sum);
      if (mixed) {
        warnings.push(`'${name}' has spans in more than one index group: its percentiles are those of the group with more spans in each interval`);
      }
    }
    merged.set(name, byTime);
  }
  // An interval where a group had no span is a zero rate, not a gap.
  const times = [...new Set(answers.flatMap((answer) => answer.times))].sort((a, b) => a - b);
  const series = [...merged.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, byTime]) => ({ group, buckets: times.map((time) => byTime.get(time) ?? { time, requests: 0, errors: 0, p50Ms: null, p90Ms: null, p99Ms: null }) }));
  return { series, warnings: [...new Set(warnings)] };
}

// ---- the operations table ------------------------------------------------------------------

export interface OperationTableOptions {
  resolution: Resolution;
  window: TimeWindow;
  filters: SpanFilters;
}

interface BuiltTable {
  body: JsonObject;
  where: string;
  services: GroupSplit;
  operations: GroupSplit;
  durations: Timing[];
  warnings: string[];
}

/**
 * One group's table request: spans split by service, each service's by operation (span name),
 * each with its errors and duration percentiles over the whole range. A row always names both:
 * with a service filter there is one service, or a few. Pure.
 */
export function buildOperationTableRequest(group: IndexGroup, options: Omit<OperationTableOptions, 'resolution'>): BuiltTable | { skipped: string } {
  const scope = spanScope(group, options.filters, options.window);
  if ('skipped' in scope) {
    return scope;
  }
  const services = groupSplit(group, 'service', TABLE_SERVICES);
  const operations = groupSplit(group, 'operation', TABLE_OPERATIONS);
  if ('skipped' in services || 'skipped' in operations) {
    return 'skipped' in services ? services : (operations as { skipped: string });
  }
  return {
    body: { size: 0, track_total_hits: false, query: scope.query, aggs: services.aggs(operations.aggs(measures(group, scope.durations, TABLE_PERCENTS))) },
    where: group.indices.join(', '),
    services,
    operations,
    durations: scope.durations,
    warnings: scope.warnings,
  };
}

type TableRow = Omit<OperationRow, 'ratePerSecond'>;

const rowKey = (row: { service: string; operation: string }) => `${row.service}\u0000${row.operation}`;

/** The rows of one group's answer (without the rate, which needs the range). Pure. */
export function readOperationTable(response: SearchResponse, built: BuiltTable): { rows: TableRow[]; warnings: string[] } {
  const rows = new Map<string, TableRow>();
  const warnings: string[] = [];
  const services = built.services.read(response.aggregations ?? {});
  warnings.push(...splitWarnings(built.where, built.services, services, TABLE_SERVICES, 'services'));
  for (const { name: service, bucket: serviceBucket } of services.groups) {
    const operations = built.operations.read(serviceBucket);
    warnings.push(...splitWarnings(built.where, built.operations, operations, TABLE_OPERATIONS, 'operations in a service'));
    for (const { name: operation, bucket } of operations.groups) {
      const { requests, errors, percentilesMs, timedIn } = measured(bucket, TABLE_PERCENTS, built.durations);
      if (timedIn > 1) {
        warnings.push(mixedTimingWarning(built.where, `'${service}' '${operation}'`, built.durations));
      }
      const part = { service, operation, requests, errors, p50Ms: percentilesMs[0], p95Ms: percentilesMs[1], p99Ms: percentilesMs[2] };
      const { merged, mixed } = mergeParts(rows.get(rowKey(part)), part);
      rows.set(rowKey(part), merged);
      if (mixed) {
        warnings.push(`${built.where}: '${service}' '${operation}' is found in more than one of ${[...built.services.places, ...built.operations.places].join(', ')}: its percentiles are those of the part with more spans`);
      }
    }
  }
  return { rows: [...rows.values()], warnings: [...new Set(warnings)] };
}

/** Per service and operation over the whole range: requests, rate, errors and duration p50, p95, p99, over every index group. */
export async function operationTable(searcher: TraceSearcher, options: OperationTableOptions): Promise<{ operations: OperationRow[]; warnings: string[] }> {
  const { answers, warnings } = await perIndexGroup(searcher, options.resolution, 'the operations table', (group) => buildOperationTableRequest(group, options), readOperationTable);
  const rows = new Map<string, TableRow>();
  for (const row of answers.flatMap((answer) => answer.rows)) {
    const { merged, mixed } = mergeParts(rows.get(rowKey(row)), row);
    rows.set(rowKey(row), merged);
    if (mixed) {
      warnings.push(`'${row.service}' '${row.operation}' has spans in more than one index group: its percentiles are those of the group with more spans`);
    }
  }
  const rangeSeconds = Math.max(Number(options.window.toNs - options.window.fromNs) / 1e9, 1e-3);
  const operations = [...rows.values()]
    .sort((a, b) => a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation))
    .map((row) => ({ service: row.service, operation: row.operation, requests: row.requests, ratePerSecond: row.requests / rangeSeconds, errors: row.errors, p50Ms: row.p50Ms, p95Ms: row.p95Ms, p99Ms: row.p99Ms }));
  return { operations, warnings: [...new Set(warnings)] };
}
