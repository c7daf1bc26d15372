/**
 * Bounds on trace durations from aggregations with no script per span, so `slowest` can rank
 * exactly while measuring (with the end script) only the traces that can rank. Per trace: the
 * start exactly (the minimum the exact pass takes too) and the end bounded above: no span ends
 * after the latest start plus the longest duration (a script adds them per span otherwise), or the
 * stored end where the producer keeps one. A floor for the limit-th duration comes from the
 * longest spans (a trace lasts at least as long as each of its spans): the engine then returns
 * only the traces whose bound reaches it. Pure: requests and their reading.
 */
import type { SearchResponse } from '../engine/client';
import { isEngineError } from '../engine/errors';
import type { IndexGroup } from '../proto/detect';
import type { JsonObject } from '../proto/schema';
import { durationSources, endSource, startSource } from './searchClauses';

/** One group of a search, as the search holds it: its trace id field and clauses. */
export interface BoundsScope {
  group: IndexGroup;
  traceField: string;
  /** The window's range (when there is one) and the filters. */
  filter: JsonObject[];
  mustNot: JsonObject[];
  range?: JsonObject;
}

/**
 * Traces one bounds pass takes at most: a terms bucket each, under the engines' default
 * `search.max_buckets` (65,535; 65,536 from Elasticsearch 8); the trace id pages take more.
 */
export const MAX_BOUNDED_TRACES = 65_000;
/**
 * Room (ms) between a bound and an exact duration, twice the most they can differ by: a date_nanos
 * field aggregates to whole milliseconds (up to 1 ms off), and the engine and this code add epoch
 * milliseconds as doubles in different orders (far less).
 */
export const BOUND_SLACK_MS = 2;
/** Longest spans asked for per trace wanted: enough for a trace's long root and a long child or two. */
const LONGEST_SPANS_PER_TRACE = 4;

export interface TraceBounds {
  startMs: number;
  lastStartMs: number;
  longestMs: number;
  endMs: number;
}

interface BoundsBucket {
  key: string;
  start?: { min?: number | null; max?: number | null };
  first_start?: { value: number | null };
  last_start?: { value: number | null };
  last_end?: { value: number | null };
  [longest: `longest_${number}`]: { value: number | null } | undefined;
}

export interface BoundsPlan {
  /** The per-trace aggregations. */
  aggs: JsonObject;
  read: (bucket: BoundsBucket) => TraceBounds;
  /** A bucket_selector keeping the traces whose upper bound reaches `floorMs`. */
  keep: (floorMs: number) => JsonObject;
  /** Fields whose presence places a span in time (the start; the end where it is stored). */
  placed: string[];
  /** A trace's longest possible duration (ms), and a likely one to aim the exact pass with. */
  upperMs: (bounds: TraceBounds) => number;
  guessMs: (bounds: TraceBounds) => number;
}

const number = (value: unknown) => (typeof value === 'number' ? value : undefined);

/**
 * The selector's script: buckets_path values arrive as params (NaN where a trace has none), the
 * scales and the floor as params too. A trace with no readable start is unranked: left out.
 */
const KEEP_SOURCE = [
  'if (Double.isNaN(params.first)) { return false; }',
  'double start = params.first * params.startScale;',
  'double end;',
  'if (params.stored) { end = Double.isNaN(params.end) ? start : params.end * params.endScale; } else {',
  '  double longest = 0;',
  "  for (int i = 0; i < params.scales.size(); i++) { double d = params['longest_' + i]; double scale = params.scales.get(i); if (!Double.isNaN(d)) { longest = Math.max(longest, d * scale); } }",
  '  end = params.last * params.startScale + longest;',
  '}',
  'return end - start + params.slack >= params.floor;',
].join('\n');

/** How one group's bounds are aggregated and read; undefined where no start or end can be aggregated. */
export function boundsPlan(group: IndexGroup): BoundsPlan | undefined {
  const start = startSource(group);
  const end = endSource(group);
  const search = group.schema.search;
  if (!start || !end || !search) {
    return undefined;
  }
  // Where the start is text, one statistics aggregation gives the first and the latest start with
  // one script per span; a field is cheaper as a min and a max (half the answer's size).
  const scripted = 'script' in start.agg;
  const stored = !('script' in end.agg);
  const durations = stored ? [] : durationSources(group);
  const aggs: JsonObject = scripted ? { start: { stats: start.agg } } : { first_start: { min: start.agg }, last_start: { max: start.agg } };
  const paths: Record<string, string> = scripted ? { first: 'start.min', last: 'start.max' } : { first: 'first_start', last: 'last_start' };
  if (stored) {
    aggs.last_end = { max: end.agg };
    paths.end = 'last_end';
  }
  durations.forEach((duration, i) => {
    aggs[`longest_${i}`] = { max: { field: duration.field } };
    paths[`longest_${i}`] = `longest_${i}`;
  });
  const read = (bucket: BoundsBucket): TraceBounds => {
    const first = number(scripted ? bucket.start?.min : bucket.first_start?.value);
    const last = number(scripted ? bucket.start?.max : bucket.last_start?.value);
    const endValue = number(bucket.last_end?.value);
    let longestMs = -Infinity;
    durations.forEach((duration, i) => {
      const longest = number(bucket[`longest_${i}`]?.value);
      longestMs = longest === undefined ? longestMs : Math.max(longestMs, longest * duration.msPerUnit);
    });
    return {
      startMs: first === undefined ? Infinity : start.toMs(first),
      lastStartMs: last === undefined ? -Infinity : start.toMs(last),
      longestMs,
      endMs: endValue === undefined ? -Infinity : end.toMs(endValue),
    };
  };
  const keep = (floorMs: number): JsonObject => ({
    bucket_selector: {
      buckets_path: paths,
      script: { lang: 'painless', source: KEEP_SOURCE, params: { stored, startScale: start.msPerUnit, endScale: end.msPerUnit, scales: durations.map((d) => d.msPerUnit), slack: BOUND_SLACK_MS, floor: floorMs } },
    },
  });
  if (stored) {
    // As the exact pass reads it: the latest stored end, else the start.
    const exactMs = (bounds: TraceBounds) => (Number.isFinite(bounds.endMs) ? bounds.endMs : bounds.startMs) - bounds.startMs;
    return { aggs, read, keep, placed: [search.start.field, ...(search.end ? [search.end.field] : [])], upperMs: exactMs, guessMs: exactMs };
  }
  return {
    aggs,
    read,
    keep,
    // A span without a readable start has no end either; one without a duration ends at its start.
    placed: [search.start.field],
    upperMs: (bounds) => bounds.lastStartMs + Math.max(0, bounds.longestMs) - bounds.startMs,
    // Exact when the span that starts first lasts longest or starts last, as a root span usually does.
    guessMs: (bounds) => Math.max(bounds.lastStartMs, bounds.startMs + Math.max(0, bounds.longestMs)) - bounds.startMs,
  };
}

/**
 * The longest matching spans, longest first: a sort on a numeric field, which engines answer
 * without visiting every span; the trace id comes back as the second sort value (doc values, no
 * document read). Undefined where no duration is stored. Pure.
 */
export function buildLongestSpansRequest(scope: BoundsScope, limit: number): JsonObject | undefined {
  const duration = durationSources(scope.group)[0];
  if (!duration) {
    return undefined;
  }
  return {
    size: limit * LONGEST_SPANS_PER_TRACE,
    track_total_hits: false,
    _source: false,
    query: { bool: { filter: scope.filter, must_not: scope.mustNot } },
    // Indices of the pattern without the field (span events kept apart) sort nothing instead of failing.
    sort: [{ [duration.field]: { order: 'desc', unmapped_type: 'long' } }, { [scope.traceField]: { order: 'asc', unmapped_type: 'keyword' } }],
  };
}

/**
 * A floor (ms) for the limit-th longest matching trace: the longest span of the limit-th trace to
 * appear among the longest spans, each trace lasting at least as long as its longest span.
 * Undefined when fewer traces appear. Pure.
 */
export function floorFromLongestSpans(response: SearchResponse, scope: BoundsScope, limit: number): number | undefined {
  const duration = durationSources(scope.group)[0];
  const traces = new Set<unknown>();
  for (const hit of response.hits?.hits ?? []) {
    traces.add(hit.sort?.[1]);
    const longest = number(hit.sort?.[0]);
    if (traces.size === limit) {
      return duration && longest !== undefined ? longest * duration.msPerUnit : undefined;
    }
  }
  return undefined;
}

/**
 * Whether the engine refused the floor's bucket_selector, not the bounds: an engine built without
 * the aggregations module (\`Unknown aggregation type [bucket_selector]\`, as Elasticsearch 8
 * embedded without its modules answers) or one that runs no painless. The floor only spares the
 * answer traces that cannot rank, so the bounds are asked for again without it.
 */
export function selectorRefused(error: unknown): boolean {
  if (!isEngineError(error) || error.kind !== 'bad_request') {
    return false;
  }
  const said = `${error.detail.reason ?? ''} ${error.message}`;
  return /bucket_selector|painless|\bscripts?\b/i.test(said);
}

const withKeep = (aggs: JsonObject, plan: BoundsPlan, floorMs: number | undefined): JsonObject => (floorMs === undefined ? aggs : { ...aggs, keep: plan.keep(floorMs) });

/**
 * Bounds of every trace with a span in the window, from its spans in the window (a search without
 * filters: every such trace matches); with a floor, only the traces whose upper bound reaches it.
 * Pure.
 */
export function buildWindowBoundsRequest(scope: BoundsScope, plan: BoundsPlan, floorMs?: number): JsonObject {
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: scope.range ? [scope.range] : [], must_not: scope.mustNot } },
    aggs: { traces: { terms: { field: scope.traceField, size: MAX_BOUNDED_TRACES, shard_size: MAX_BOUNDED_TRACES }, aggs: withKeep(plan.aggs, plan, floorMs) } },
  };
}

/**
 * Whether any span placed in time lies outside the window: only then can a trace cross its edges
 * and last longer than its spans in the window. One document is enough to know. Pure.
 */
export function buildOutsideWindowProbe(scope: BoundsScope, plan: BoundsPlan): JsonObject | undefined {
  if (!scope.range) {
    return undefined;
  }
  const exists = plan.placed.map((field) => ({ exists: { field } }));
  return {
    size: 0,
    track_total_hits: true,
    terminate_after: 1,
    query: { bool: { filter: [exists.length === 1 ? exists[0] : { bool: { should: exists, minimum_should_match: 1 } }], must_not: [scope.range, ...scope.mustNot] } },
  };
}

/**
 * Bounds of the given traces from all their spans (with a floor, only those whose upper bound
 * reaches it), or from their spans outside the window only. Pure.
 */
export function buildBoundsByIdRequest(scope: BoundsScope, plan: BoundsPlan, traceIds: string[], options: { outsideWindowOnly?: boolean; floorMs?: number } = {}): JsonObject {
  const outside = options.outsideWindowOnly && scope.range ? [scope.range] : [];
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [{ terms: { [scope.traceField]: traceIds } }], must_not: [...outside, ...scope.mustNot] } },
    aggs: { traces: { terms: { field: scope.traceField, size: traceIds.length }, aggs: withKeep(plan.aggs, plan, options.floorMs) } },
  };
}

/** Each answered trace's bounds, and whether the answer holds every trace (no terms left over). */
export function readBounds(response: SearchResponse, plan: BoundsPlan): { bounds: Array<[string, TraceBounds]>; complete: boolean } {
  const aggregation = response.aggregations?.traces as { buckets?: BoundsBucket[]; sum_other_doc_count?: number } | undefined;
  return { bounds: (aggregation?.buckets ?? []).map((bucket) => [String(bucket.key), plan.read(bucket)]), complete: (aggregation?.sum_other_doc_count ?? 0) === 0 };
}

export function mergeBounds(into: TraceBounds, from: TraceBounds): void {
  into.startMs = Math.min(into.startMs, from.startMs);
  into.lastStartMs = Math.max(into.lastStartMs, from.lastStartMs);
  into.longestMs = Math.max(into.longestMs, from.longestMs);
  into.endMs = Math.max(into.endMs, from.endMs);
}
