/**
 * Trace search in three phases, each an aggregation so cost follows the matching spans:
 * 1. the ids of every trace with a span matching all filters in the window (composite aggregation,
 *    paged), range-filtered on the schema's start field so engines can skip shards;
 * 2. for those traces, start (min) and end (max) over all their spans, so `recent` and `slowest`
 *    rank the whole window, not one page;
 * 3. for the top N, the summaries: span and error counts, services, root service and name.
 * A pattern over several producers is searched group by group and merged per trace.
 */
import { incompleteAnswerWarnings, type SearchResponse, totalHits } from '../engine/client';
import type { IndexGroup, Resolution } from '../proto/detect';
import { readPath } from '../proto/attributes';
import type { LogicalSpan } from '../proto/model';
import type { JsonObject } from '../proto/schema';
import { validateTraceId } from '../proto/ids';
import { parseOtelMillisNanos } from '../proto/time';
import { exactPath } from '../proto/fieldCatalog';
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, type SearchSort, type SpanStatusFilter } from '../types';
import type { TraceSearcher } from './fetchTrace';
import { FilterError, parseDuration, parseLogfmt } from './filters';
import { QueryError } from './resolve';
import { attributeKeyClause, earliestFirst, endSource, exactFields, rootClause, type SpanFilters, spanFilterClauses, startSource, statusClause, timeUnfilterable } from './searchClauses';
import type { TimeWindow } from './traceById';
import { BOUND_SLACK_MS, boundsPlan, type BoundsPlan, buildBoundsByIdRequest, buildLongestSpansRequest, buildOutsideWindowProbe, buildWindowBoundsRequest, floorFromLongestSpans, mergeBounds, readBounds, selectorRefused, type TraceBounds } from './traceBounds';
import { unplaceableWarnings } from './unplaceable';

/** What a user typed, as the editor and the CLI hold it. */
export interface SearchInput {
  service?: string | string[];
  operation?: string | string[];
  tags?: string;
  minDuration?: string;
  maxDuration?: string;
  status?: string;
  limit?: number | string;
  sort?: string;
}

export interface SearchRequest {
  filters: SpanFilters;
  limit: number;
  sort: SearchSort;
}

export interface TraceSummary {
  traceId: string;
  startMs: number;
  durationMs: number;
  rootService: string;
  rootName: string;
  spans: number;
  errors: number;
  services: string[];
}

export interface SearchResult {
  traces: TraceSummary[];
  warnings: string[];
}

/** A trace ranked before its summary is read: exact start, duration and span count only. */
export type RankedTrace = Pick<TraceSummary, 'traceId' | 'startMs' | 'durationMs' | 'spans'> & Partial<TraceSummary>;

/** How far a long search has come: what it is doing, and the top traces among those ranked so far. */
export interface SearchProgress {
  /** Said to the user as it is: "ranked 20,000 of 60,606 matching traces; ...". */
  stage: string;
  /** The top of the traces ranked so far, best first (none before a ranking has exact figures). */
  traces: () => RankedTrace[];
}

/** Reports a stage of a long search; called between requests, never after the last one. */
type Reporter = (stage: string, traces?: () => RankedTrace[]) => void;

const count = (n: number) => n.toLocaleString('en-US');

/** The most matching traces ranked; beyond it the search asks to be narrowed. */
export const MAX_MATCHING_TRACES = 200_000;
const COMPOSITE_PAGE = 10_000;
/** Trace ids per aggregation request (the terms query allows 65,536; fewer round trips for big ranges). */
const CHUNK = 20_000;
const SERVICES_PER_TRACE = 100;
const STATUSES: SpanStatusFilter[] = ['error', 'ok', 'unset'];
const SORTS: SearchSort[] = ['recent', 'slowest'];

const blankToUndefined = (value?: string) => (value === undefined || value.trim() === '' ? undefined : value.trim());
const namesOrUndefined = (value?: string | string[]) => {
  if (Array.isArray(value)) {
    const names = value.map((name) => name.trim()).filter((name) => name !== '');
    return names.length === 0 ? undefined : names.length === 1 ? names[0] : names;
  }
  return blankToUndefined(value);
};

/** Validates and parses what the user typed; every problem is a FilterError naming it. */
export function parseSearchInput(input: SearchInput): SearchRequest {
  const minDurationNs = blankToUndefined(input.minDuration) === undefined ? undefined : parseDuration(input.minDuration!, 'min duration');
  const maxDurationNs = blankToUndefined(input.maxDuration) === undefined ? undefined : parseDuration(input.maxDuration!, 'max duration');
  if (minDurationNs !== undefined && maxDurationNs !== undefined && minDurationNs > maxDurationNs) {
    throw new FilterError(`min duration '${input.minDuration}' is longer than max duration '${input.maxDuration}'`);
  }
  const status = blankToUndefined(input.status);
  if (status !== undefined && !STATUSES.includes(status as SpanStatusFilter)) {
    throw new FilterError(`status '${status}' is not one of ${STATUSES.join(', ')}`);
  }
  const sort = blankToUndefined(input.sort) ?? 'recent';
  if (!SORTS.includes(sort as SearchSort)) {
    throw new FilterError(`sort '${sort}' is not one of ${SORTS.join(', ')}`);
  }
  const limitText = input.limit === undefined || input.limit === '' ? String(DEFAULT_SEARCH_LIMIT) : String(input.limit).trim();
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new FilterError(`limit '${input.limit}' must be a whole number from 1 to ${MAX_SEARCH_LIMIT}`);
  }
  return {
    filters: {
      service: namesOrUndefined(input.service),
      operation: namesOrUndefined(input.operation),
      tags: parseLogfmt(input.tags ?? ''),
      minDurationNs,
      maxDurationNs,
      status: status as SpanStatusFilter | undefined,
    },
    limit,
    sort: sort as SearchSort,
  };
}

interface SearchableGroup {
  group: IndexGroup;
  traceField: string;
  filter: JsonObject[];
  /** The filter without the time range, for documents whose time cannot be read. */
  spanFilter: JsonObject[];
  mustNot: JsonObject[];
  /** The window's time range (also first in `filter`); none when the search has no window. */
  range?: JsonObject;
}

/** For groups whose attribute keys are data: the first filter key no span of the group has. */
async function unknownDataKeys(searcher: TraceSearcher, resolution: Resolution, filters: SpanFilters): Promise<Map<IndexGroup, string>> {
  const unknown = new Map<IndexGroup, string>();
  for (const group of resolution.groups) {
    for (const { key } of filters.tags) {
      const clause = attributeKeyClause(group, key);
      if (!clause) {
        break;
      }
      const response = await searcher.search(group.indices.join(','), { size: 0, terminate_after: 1, track_total_hits: true, query: clause });
      if (totalHits(response) === 0) {
        unknown.set(group, key);
        break;
      }
    }
  }
  return unknown;
}

/** The groups that can answer, each with its clauses; an error when none can, naming why. */
async function searchableGroups(searcher: TraceSearcher, resolution: Resolution, filters: SpanFilters, window: TimeWindow | undefined, warnings: string[]): Promise<SearchableGroup[]> {
  const usable: SearchableGroup[] = [];
  const reasons: string[] = [];
  let unknownOnly = true;
  const unknownKeys = await unknownDataKeys(searcher, resolution, filters);
  for (const group of resolution.groups) {
    const unknownKey = unknownKeys.get(group);
    const clauses: ReturnType<typeof spanFilterClauses> = unknownKey === undefined ? spanFilterClauses(group, filters) : { ok: false, reason: `unknown attribute '${unknownKey}': no span in ${group.indices.join(', ')} has it` };
    const traceField = exactFields(group, 'traceId')[0];
    if (!clauses.ok) {
      reasons.push(clauses.reason);
      unknownOnly &&= clauses.reason.startsWith('unknown attribute');
      continue;
    }
    unknownOnly = false;
    warnings.push(...(clauses.warnings ?? []));
    if (!traceField) {
      reasons.push(`${group.indices.join(', ')}: the trace id field cannot be aggregated in this mapping`);
      continue;
    }
    const range = window ? group.schema.timeRange(group.catalog, window.fromNs, window.toNs) : undefined;
    if (window && !range) {
      // Searched unfiltered, it would answer for all time: skipped, and said so.
      reasons.push(timeUnfilterable(group));
      continue;
    }
    const filter = range ? [range, ...clauses.filter] : [...clauses.filter];
    usable.push({ group, traceField, filter, spanFilter: clauses.filter, mustNot: clauses.mustNot, ...(range ? { range } : {}) });
  }
  if (usable.length === 0) {
    const unique = [...new Set(reasons)];
    throw new QueryError(unknownOnly && unique.length > 0 ? unique[0] : `nothing can be searched: ${unique.join('; ') || 'no span indices'}`);
  }
  warnings.push(...reasons.map((reason) => `skipped: ${reason}`));
  return usable;
}

interface CompositeAggregation {
  after_key?: JsonObject;
  buckets?: Array<{ key: Record<string, string> }>;
}

/** Phase 1 request: a page of the trace ids with a matching span. Pure. */
export function buildMatchingTracesRequest(searchable: SearchableGroup, after?: JsonObject): JsonObject {
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: searchable.filter, must_not: searchable.mustNot } },
    aggs: { traces: { composite: { size: COMPOSITE_PAGE, sources: [{ trace: { terms: { field: searchable.traceField } } }], ...(after ? { after } : {}) } } },
  };
}

const probesOf = (groups: SearchableGroup[]) => groups.map(({ group, spanFilter, mustNot }) => ({ group, filter: spanFilter, mustNot }));

async function matchingTraceIds(searcher: TraceSearcher, groups: SearchableGroup[], warnings: string[], report?: Reporter): Promise<string[]> {
  const ids = new Set<string>();
  for (const searchable of groups) {
    let after: JsonObject | undefined;
    do {
      const response = await searcher.search(searchable.group.indices.join(','), buildMatchingTracesRequest(searchable, after));
      warnings.push(...incompleteAnswerWarnings(response));
      const aggregation = response.aggregations?.traces as CompositeAggregation | undefined;
      for (const bucket of aggregation?.buckets ?? []) {
        ids.add(bucket.key.trace);
      }
      // A short page is the last one (composite fills every page but the last).
      after = (aggregation?.buckets?.length ?? 0) === COMPOSITE_PAGE ? aggregation?.after_key : undefined;
      if (ids.size >= MAX_MATCHING_TRACES) {
        warnings.push(`more than ${MAX_MATCHING_TRACES.toLocaleString('en-US')} traces match; only the first ${MAX_MATCHING_TRACES.toLocaleString('en-US')} by trace id were ranked. Narrow the search (filters or time range)`);
        return [...ids].slice(0, MAX_MATCHING_TRACES);
      }
      if (after) {
        report?.(`found ${count(ids.size)} matching traces so far; they are ranked once all are found`);
      }
    } while (after);
  }
  return [...ids];
}

export interface Timing {
  startMs: number;
  endMs: number;
}

interface TermsBucket {
  key: string;
  doc_count: number;
  start?: { value: number | null };
  end?: { value: number | null };
  errors?: { doc_count: number };
  root?: { doc_count: number; first?: TopHits };
  first?: TopHits;
  [services: `services_${number}`]: { buckets: Array<{ key: string }> } | undefined;
}

interface TopHits {
  hits?: { hits?: Array<{ _source?: JsonObject }> };
}

function traceBuckets(response: SearchResponse): TermsBucket[] {
  return ((response.aggregations?.traces as { buckets?: TermsBucket[] } | undefined)?.buckets ?? []);
}

/**
 * What an aggregation pass computes per trace: only the start (enough to rank `recent`), start and
 * end (to rank `slowest` and for distributions), or the whole summary.
 */
export type AggregationPass = 'start' | 'timing' | 'summaries';

/** Start and end aggregations of one group, or undefined when its mapping cannot give them. */
function timingAggs(group: IndexGroup, pass: AggregationPass): { aggs: JsonObject; read: (bucket: TermsBucket) => Partial<Timing> } | undefined {
  const start = startSource(group);
  const end = endSource(group);
  if (!start || !end) {
    return undefined;
  }
  return {
    // The end costs a script on most schemas, so it is left out where only the start is needed.
    aggs: pass === 'start' ? { start: { min: start.agg } } : { start: { min: start.agg }, end: { max: end.agg } },
    read: (bucket) => ({
      startMs: typeof bucket.start?.value === 'number' ? start.toMs(bucket.start.value) : undefined,
      endMs: typeof bucket.end?.value === 'number' ? end.toMs(bucket.end.value) : undefined,
    }),
  };
}

/** Phases 2 and 3 request: aggregations per trace over all spans of the given traces. Pure. */
export function buildTraceAggregationRequest(searchable: SearchableGroup, traceIds: string[], pass: AggregationPass): JsonObject | undefined {
  const { group, traceField } = searchable;
  const timing = timingAggs(group, pass);
  if (!timing) {
    return undefined;
  }
  const aggs: JsonObject = { ...timing.aggs };
  if (pass === 'summaries') {
    const source = [...new Set([group.schema.paths.serviceName, ...(group.schema.paths.alternates?.serviceName ?? []), group.schema.paths.name, ...(group.schema.paths.alternates?.name ?? [])])];
    const earliest = { top_hits: { size: 1, sort: earliestFirst(group), _source: source } };
    aggs.errors = { filter: statusClause(group, 'error') };
    exactFields(group, 'serviceName').forEach((path, i) => {
      aggs[`services_${i}`] = { terms: { field: path, size: SERVICES_PER_TRACE } };
    });
    aggs.root = { filter: rootClause(group), aggs: { first: earliest } };
    aggs.first = earliest;
  }
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [{ terms: { [traceField]: traceIds } }], must_not: searchable.mustNot } },
    aggs: { traces: { terms: { field: traceField, size: traceIds.length }, aggs } },
  };
}

interface Accumulated extends Timing {
  spans: number;
  errors: number;
  services: Set<string>;
  rootService?: string;
  rootName?: string;
  firstService?: string;
  firstName?: string;
}

function firstString(source: JsonObject | undefined, paths: string[]): string | undefined {
  for (const path of paths) {
    const value = source ? readPath(source, path) : undefined;
    if (typeof value === 'string' && value !== '') {
      return value;
    }
  }
  return undefined;
}

async function aggregateTraces(searcher: TraceSearcher, groups: SearchableGroup[], traceIds: string[], pass: AggregationPass, warnings: string[], onChunk?: (traces: Map<string, Accumulated>, done: number, group: number) => void): Promise<Map<string, Accumulated>> {
  const traces = new Map<string, Accumulated>();
  for (const [g, searchable] of groups.entries()) {
    const { group } = searchable;
    const timing = timingAggs(group, pass);
    const servicePaths = [group.schema.paths.serviceName, ...(group.schema.paths.alternates?.serviceName ?? [])];
    const namePaths = [group.schema.paths.name, ...(group.schema.paths.alternates?.name ?? [])];
    for (let offset = 0; offset < traceIds.length; offset += CHUNK) {
      const request = buildTraceAggregationRequest(searchable, traceIds.slice(offset, offset + CHUNK), pass);
      if (!request || !timing) {
        warnings.push(`${group.indices.join(', ')}: the start time cannot be aggregated in this mapping, so its traces have no start or duration`);
        break;
      }
      const response = await searcher.search(group.indices.join(','), request);
      warnings.push(...incompleteAnswerWarnings(response));
      for (const bucket of traceBuckets(response)) {
        const times = timing.read(bucket);
        const entry = traces.get(bucket.key) ?? { startMs: Infinity, endMs: -Infinity, spans: 0, errors: 0, services: new Set<string>() };
        entry.startMs = Math.min(entry.startMs, times.startMs ?? Infinity);
        entry.endMs = Math.max(entry.endMs, times.endMs ?? times.startMs ?? -Infinity);
        entry.spans += bucket.doc_count;
        entry.errors += bucket.errors?.doc_count ?? 0;
        for (const [key, value] of Object.entries(bucket)) {
          if (key.startsWith('services_')) {
            for (const service of (value as { buckets: Array<{ key: string }> }).buckets) {
              entry.services.add(String(service.key));
            }
          }
        }
        const root = bucket.root?.first?.hits?.hits?.[0]?._source;
        if (root && entry.rootService === undefined) {
          entry.rootService = firstString(root, servicePaths);
          entry.rootName = firstString(root, namePaths) ?? '';
        }
        const first = bucket.first?.hits?.hits?.[0]?._source;
        if (first && entry.firstService === undefined) {
          entry.firstService = firstString(first, servicePaths);
          entry.firstName = firstString(first, namePaths) ?? '';
        }
        traces.set(bucket.key, entry);
      }
      const done = Math.min(offset + CHUNK, traceIds.length);
      if (done < traceIds.length || g < groups.length - 1) {
        onChunk?.(traces, done, g);
      }
    }
  }
  return traces;
}

function rank(entries: Array<[string, Timing]>, sort: SearchSort): string[] {
  const key = sort === 'slowest' ? (t: Timing) => t.endMs - t.startMs : (t: Timing) => t.startMs;
  return entries
    .filter(([, timing]) => Number.isFinite(timing.startMs))
    .sort(([idA, a], [idB, b]) => key(b) - key(a) || (idA < idB ? -1 : idA > idB ? 1 : 0))
    .map(([id]) => id);
}

/** Traces found but left out of a list, said: no readable start on any span, or an id no trace view can open. */
function unlistable(traces: Map<string, Timing>): string[] {
  const warnings: string[] = [];
  const timeless = [...traces.entries()].filter(([, timing]) => !Number.isFinite(timing.startMs)).map(([traceId]) => traceId);
  if (timeless.length > 0) {
    warnings.push(`${timeless.length} trace${timeless.length === 1 ? ' has' : 's have'} no span with a readable start time and cannot be ranked, so ${timeless.length === 1 ? 'it is' : 'they are'} left out (${examples(timeless)})`);
  }
  const invalid = [...traces.keys()].filter((traceId) => !validateTraceId(traceId).ok);
  if (invalid.length > 0) {
    warnings.push(`${invalid.length} trace id${invalid.length === 1 ? ' is' : 's are'} not 1 to 32 hexadecimal digits, so no trace view can open ${invalid.length === 1 ? 'it' : 'them'}; left out (${examples(invalid.map((id) => JSON.stringify(id)))})`);
  }
  return warnings;
}

const examples = (items: string[]) => `${items.slice(0, 3).join(', ')}${items.length > 3 ? ', ...' : ''}`;

export interface SearchOptions {
  resolution: Resolution;
  window?: TimeWindow;
  request: SearchRequest;
  /** Told how a search that pages or ranks in several requests is getting on (trace search only). */
  onProgress?: (progress: SearchProgress) => void;
}

/** First start and last end (epoch ms) of each of these traces, over all their spans. */
export async function traceTimes(searcher: TraceSearcher, resolution: Resolution, traceIds: string[]): Promise<Map<string, Timing>> {
  const warnings: string[] = [];
  const groups = await searchableGroups(searcher, resolution, { tags: [] }, undefined, warnings);
  const timings = await aggregateTraces(searcher, groups, traceIds, 'timing', warnings);
  return new Map([...timings.entries()].filter(([, t]) => Number.isFinite(t.startMs)).map(([id, t]) => [id, { startMs: t.startMs, endMs: t.endMs }]));
}

/** Start and duration of every trace with a matching span in the window (for distributions). */
export async function matchingTraceTimings(searcher: TraceSearcher, options: SearchOptions): Promise<{ durationsMs: number[]; warnings: string[] }> {
  const warnings: string[] = [];
  const groups = await searchableGroups(searcher, options.resolution, options.request.filters, options.window, warnings);
  warnings.push(...(await unplaceableWarnings(searcher, probesOf(groups))));
  const matching = await matchingTraceIds(searcher, groups, warnings);
  const timings = matching.length > 0 ? await aggregateTraces(searcher, groups, matching, 'timing', warnings) : new Map<string, Accumulated>();
  warnings.push(...unlistable(timings));
  const durationsMs = [...timings.values()].filter((t) => Number.isFinite(t.startMs)).map((t) => Math.max(0, t.endMs - t.startMs));
  return { durationsMs, warnings: [...new Set(warnings)] };
}

/** The most recent matching spans themselves (for per-span scatter plots), newest first. */
export async function searchSpans(searcher: TraceSearcher, options: SearchOptions): Promise<{ spans: LogicalSpan[]; warnings: string[] }> {
  const warnings: string[] = [];
  const groups = await searchableGroups(searcher, options.resolution, options.request.filters, options.window, warnings);
  warnings.push(...(await unplaceableWarnings(searcher, probesOf(groups))));
  const spans: LogicalSpan[] = [];
  for (const searchable of groups) {
    const response = await searcher.search(searchable.group.indices.join(','), buildMatchingSpansRequest(searchable, options.request.limit));
    warnings.push(...incompleteAnswerWarnings(response));
    const read = searchable.group.schema.readHits(response.hits?.hits ?? []);
    spans.push(...read.spans);
    warnings.push(...read.warnings);
  }
  spans.sort((a, b) => (a.startTimeUnixNano > b.startTimeUnixNano ? -1 : a.startTimeUnixNano < b.startTimeUnixNano ? 1 : 0));
  return { spans: spans.slice(0, options.request.limit), warnings: [...new Set(warnings)] };
}

/**
 * A bound (epoch ms) for a trace whose latest "ms.ns" text sorts here. The text sorts as a time only
 * to the millisecond (`.40000` sorts before `.5000`, though 40,000 ns is later than 5,000 ns), so a
 * trace sorting at or below this one has its latest span before the next millisecond.
 */
function textSortBoundMs(sortValue: unknown): number {
  const ns = typeof sortValue === 'string' ? parseOtelMillisNanos(sortValue) : undefined;
  return ns === undefined ? Number.NaN : Number(ns / BigInt(1_000_000)) + 1;
}

/** Candidates beyond which `recent` falls back to ranking every matching trace. */
const MAX_RECENT_CANDIDATES = 10_000;

/**
 * Phase 1 for `recent`: the `size` traces whose latest matching span started last, with that
 * latest start (epoch ms). A terms aggregation ordered by a max descending is exact across
 * shards (each trace's maximum is in the top list of the shard that holds it). Where the start
 * is the exporter's "ms.ns" text, a max would need a script over every matching span; field
 * collapsing on the trace id, sorted by the start's keyword, gives the same list from doc values.
 * Pure.
 */
export function buildLatestTracesRequest(searchable: SearchableGroup, size: number): { body: JsonObject; read: (response: SearchResponse) => { latest: Array<[string, number]>; complete: boolean } } | undefined {
  const { group, traceField } = searchable;
  const start = startSource(group);
  if (!start) {
    return undefined;
  }
  const query = { bool: { filter: searchable.filter, must_not: searchable.mustNot } };
  const textStart = 'script' in start.agg ? exactPath(group.catalog, group.schema.paths.start) : undefined;
  if (textStart) {
    return {
      body: { size, track_total_hits: false, _source: [group.schema.paths.traceId], query, sort: [{ [textStart]: 'desc' }], collapse: { field: traceField } },
      read: (response) => {
        const hits = response.hits?.hits ?? [];
        const latest = hits
          // The id as stored: the next phase looks it up with an exact term.
          .map((hit): [unknown, number] => [readPath(hit._source, group.schema.paths.traceId), textSortBoundMs(hit.sort?.[0])])
          .filter((entry): entry is [string, number] => typeof entry[0] === 'string' && Number.isFinite(entry[1]));
        return { latest, complete: hits.length < size };
      },
    };
  }
  return {
    body: { size: 0, track_total_hits: false, query, aggs: { traces: { terms: { field: traceField, size, order: { latest: 'desc' } }, aggs: { latest: { max: start.agg } } } } },
    read: (response) => {
      const aggregation = response.aggregations?.traces as { buckets?: Array<{ key: string; latest?: { value: number | null } }>; sum_other_doc_count?: number } | undefined;
      // A trace whose spans lack a readable start still is a candidate; it just bounds nothing.
      const latest = (aggregation?.buckets ?? []).map((bucket): [string, number] => [bucket.key, typeof bucket.latest?.value === 'number' ? start.toMs(bucket.latest.value) : -Infinity]);
      return { latest, complete: (aggregation?.sum_other_doc_count ?? 0) === 0 };
    },
  };
}

/**
 * The exact `limit` most recent matching traces without ranking every match: take the K traces
 * whose latest matching span is latest, then their true starts. A trace outside the K starts no
 * later than its latest matching span, which is no later than the K-th candidate's; so once
 * `limit` candidates start after that bound, they are the answer. K grows until they do; past
 * MAX_RECENT_CANDIDATES the caller ranks every match instead (undefined).
 */
async function mostRecentTraces(searcher: TraceSearcher, groups: SearchableGroup[], limit: number, warnings: string[]): Promise<string[] | undefined> {
  for (let size = Math.max(2 * limit, 40); size <= MAX_RECENT_CANDIDATES; size *= 4) {
    const candidates = new Set<string>();
    let bound = -Infinity;
    for (const searchable of groups) {
      const request = buildLatestTracesRequest(searchable, size);
      if (!request) {
        return undefined;
      }
      const response = await searcher.search(searchable.group.indices.join(','), request.body);
      warnings.push(...incompleteAnswerWarnings(response));
      const { latest, complete } = request.read(response);
      latest.forEach(([traceId]) => candidates.add(traceId));
      if (!complete && latest.length > 0) {
        bound = Math.max(bound, latest[latest.length - 1][1]);
      }
    }
    const starts = candidates.size > 0 ? await aggregateTraces(searcher, groups, [...candidates], 'start', warnings) : new Map<string, Accumulated>();
    const ranked = rank([...starts.entries()], 'recent');
    const nth = ranked.length >= limit ? starts.get(ranked[limit - 1])!.startMs : -Infinity;
    if (bound === -Infinity || nth > bound) {
      return ranked.slice(0, limit);
    }
  }
  return undefined;
}

type BoundsByTrace = Map<string, TraceBounds>;

/** A floor for the limit-th matching trace's duration, from the longest matching spans; undefined without one. */
async function durationFloor(searcher: TraceSearcher, searchable: SearchableGroup, limit: number, warnings: string[]): Promise<number | undefined> {
  const request = buildLongestSpansRequest(searchable, limit);
  if (!request) {
    return undefined;
  }
  const response = await searcher.search(searchable.group.indices.join(','), request);
  warnings.push(...incompleteAnswerWarnings(response));
  return floorFromLongestSpans(response, searchable, limit);
}

/**
 * Without filters, every trace with a span in the window matches: one pass over the window bounds
 * them, with no composite paging and no lookup by trace id; with a floor, the engine keeps only the
 * traces that can reach it. Where a probe (sent alongside) finds spans outside the window, every
 * trace's spans there are added by trace id, so traces crossing the window's edges are bounded
 * whole (and the floor is not used: the pass must name every trace). Undefined where one pass
 * cannot take every trace.
 */
async function windowBounds(searcher: TraceSearcher, searchable: SearchableGroup, plan: BoundsPlan, limit: number, warnings: string[]): Promise<{ bounds: BoundsByTrace; floorMs?: number } | undefined> {
  const indices = searchable.group.indices.join(',');
  const probe = buildOutsideWindowProbe(searchable, plan);
  const [outside, floor] = await Promise.all([probe ? searcher.search(indices, probe) : undefined, durationFloor(searcher, searchable, limit, warnings)]);
  const crossing = outside !== undefined && totalHits(outside) > 0;
  const { response: inside, floorMs } = await withFloor(searcher, crossing ? undefined : floor, (floorMs) => searcher.search(indices, buildWindowBoundsRequest(searchable, plan, floorMs)));
  const read = readBounds(inside, plan);
  if (!read.complete) {
    return undefined;
  }
  warnings.push(...incompleteAnswerWarnings(inside), ...(outside ? incompleteAnswerWarnings(outside) : []));
  const bounds: BoundsByTrace = new Map(read.bounds);
  if (crossing && bounds.size > limit) {
    const traceIds = [...bounds.keys()];
    for (let offset = 0; offset < traceIds.length; offset += CHUNK) {
      const response = await searcher.search(indices, buildBoundsByIdRequest(searchable, plan, traceIds.slice(offset, offset + CHUNK), { outsideWindowOnly: true }));
      warnings.push(...incompleteAnswerWarnings(response));
      readBounds(response, plan).bounds.forEach(([traceId, b]) => mergeBounds(bounds.get(traceId) ?? b, b));
    }
  }
  return { bounds, floorMs };
}

/** Searchers whose engine refused the floor's bucket_selector: later searches ask without it. */
const refusesSelector = new WeakSet<TraceSearcher>();

/**
 * A bounds request with the floor where the engine takes it; without it (every trace's bounds, the
 * same answer in a longer list) where the engine refuses the bucket_selector that applies it.
 */
async function withFloor(searcher: TraceSearcher, floorMs: number | undefined, ask: (floorMs: number | undefined) => Promise<SearchResponse>): Promise<{ response: SearchResponse; floorMs?: number }> {
  if (floorMs === undefined || refusesSelector.has(searcher)) {
    return { response: await ask(undefined) };
  }
  try {
    return { response: await ask(floorMs), floorMs };
  } catch (error) {
    if (!selectorRefused(error)) {
      throw error;
    }
    refusesSelector.add(searcher);
    return { response: await ask(undefined) };
  }
}

/** Bounds of the given traces over all their spans, by trace id; with a floor (where the engine takes it), only the traces that can reach it. */
async function boundsById(searcher: TraceSearcher, searchable: SearchableGroup, plan: BoundsPlan, traceIds: string[], floor: number | undefined, warnings: string[], report?: Reporter): Promise<{ bounds: BoundsByTrace; floorMs?: number }> {
  const bounds: BoundsByTrace = new Map();
  let floorMs = floor;
  for (let offset = 0; offset < traceIds.length; offset += CHUNK) {
    const chunk = traceIds.slice(offset, offset + CHUNK);
    const answer = await withFloor(searcher, floorMs, (floorMs) => searcher.search(searchable.group.indices.join(','), buildBoundsByIdRequest(searchable, plan, chunk, { floorMs })));
    // Once refused, no chunk is floored: traces left out by the ones before are kept out only by a floor that holds for all.
    if (answer.floorMs === undefined && floorMs !== undefined && offset > 0) {
      return boundsById(searcher, searchable, plan, traceIds, undefined, warnings, report);
    }
    floorMs = answer.floorMs;
    warnings.push(...incompleteAnswerWarnings(answer.response));
    readBounds(answer.response, plan).bounds.forEach(([traceId, b]) => bounds.set(traceId, b));
    if (offset + CHUNK < traceIds.length) {
      report?.(`bounded the durations of ${count(offset + CHUNK)} of ${count(traceIds.length)} matching traces; the slowest are measured once all are bounded`);
    }
  }
  return { bounds, floorMs };
}

/**
 * The exact `limit` slowest matching traces of one group, without a script over every span: first
 * bounds for the matching traces (by one pass over the window without filters; with filters, the
 * matching trace ids, then all their spans by trace id), then the exact pass over only the traces
 * whose upper bound reaches the limit-th exact duration. Every other trace is shorter than that
 * many measured ones, so the answer is the one ranking all of them gives. Undefined (rank every
 * match instead) for several groups, whose bounds would need merging across producers first, and
 * where a floor turns out above the limit-th duration (possible only with spans of negative
 * duration or unreadable start: the traces it left out cannot be vouched for).
 */
async function slowestTraces(searcher: TraceSearcher, groups: SearchableGroup[], limit: number, warnings: string[], report?: Reporter): Promise<string[] | undefined> {
  const plan = groups.length === 1 ? boundsPlan(groups[0].group) : undefined;
  if (!plan) {
    return undefined;
  }
  const [searchable] = groups;
  const found = searchable.spanFilter.length === 0 ? await windowBounds(searcher, searchable, plan, limit, warnings) : undefined;
  if (found && found.floorMs === undefined && found.bounds.size <= limit) {
    return [...found.bounds.keys()];
  }
  if (found) {
    return measuredSlowest(searcher, groups, plan, found.bounds, limit, found.floorMs, warnings);
  }
  // With filters (matching fewer spans, so paging their trace ids costs less than passing over
  // every span), or more traces than one pass takes: bounds by trace id, over all their spans.
  const [matching, floor] = await Promise.all([matchingTraceIds(searcher, groups, warnings, report), durationFloor(searcher, searchable, limit, warnings)]);
  if (matching.length <= limit) {
    return matching;
  }
  const { bounds, floorMs } = await boundsById(searcher, searchable, plan, matching, floor, warnings, report);
  return measuredSlowest(searcher, groups, plan, bounds, limit, floorMs, warnings);
}

/**
 * Measures traces exactly, highest upper bound first, until every trace left has an upper bound
 * below the limit-th measured duration. Aimed first at the limit-th likely duration, so one exact
 * pass usually suffices; a second takes whatever the first's exact figure still lets through.
 * Traces below `floorMs` were left out by the engine: undefined when the limit-th duration is
 * below it after all.
 */
async function measuredSlowest(searcher: TraceSearcher, groups: SearchableGroup[], plan: BoundsPlan, bounds: BoundsByTrace, limit: number, floorMs: number | undefined, warnings: string[]): Promise<string[] | undefined> {
  // A trace with no readable start has none whole either (the same spans): unranked, as by the exact pass.
  const traceIds: string[] = [];
  const upper: number[] = [];
  const guesses: number[] = [];
  bounds.forEach((b, traceId) => {
    if (Number.isFinite(b.startMs)) {
      traceIds.push(traceId);
      upper.push(plan.upperMs(b));
      guesses.push(plan.guessMs(b));
    }
  });
  const sortedGuesses = Float64Array.from(guesses).sort();
  let threshold = sortedGuesses.length >= limit ? sortedGuesses[sortedGuesses.length - limit] : -Infinity;
  const measured = new Uint8Array(traceIds.length);
  const exact = new Map<string, Timing>();
  let nthMs = -Infinity;
  for (;;) {
    const next: string[] = [];
    for (let i = 0; i < traceIds.length; i++) {
      if (!measured[i] && upper[i] + BOUND_SLACK_MS >= threshold) {
        measured[i] = 1;
        next.push(traceIds[i]);
      }
    }
    if (next.length === 0) {
      break;
    }
    const timings = await aggregateTraces(searcher, groups, next, 'timing', warnings);
    timings.forEach((timing, traceId) => exact.set(traceId, timing));
    const ranked = rank([...exact.entries()], 'slowest');
    const nth = ranked.length >= limit ? exact.get(ranked[limit - 1])! : undefined;
    nthMs = nth ? nth.endMs - nth.startMs : -Infinity;
    threshold = nthMs;
  }
  // A trace the floor left out has a bound more than BOUND_SLACK_MS below it, so lasts more than
  // half of that less than the floor: below the limit-th unless that is lower still.
  if (floorMs !== undefined && nthMs < floorMs - BOUND_SLACK_MS / 4) {
    return undefined;
  }
  return rank([...exact.entries()], 'slowest').slice(0, limit);
}

/** The newest matching span documents of one group. Pure. */
export function buildMatchingSpansRequest(searchable: SearchableGroup, limit: number): JsonObject {
  const newestFirst = earliestFirst(searchable.group).map((sort) => Object.fromEntries(Object.entries(sort).map(([field, order]) => [field, typeof order === 'string' ? 'desc' : { ...(order as JsonObject), order: 'desc' }])));
  return { size: limit, track_total_hits: false, query: { bool: { filter: searchable.filter, must_not: searchable.mustNot } }, sort: newestFirst };
}

/** The ids of the limit's top matching traces: by a shortcut where one applies, else by ranking every match. */
async function topTraceIds(searcher: TraceSearcher, groups: SearchableGroup[], limit: number, sort: SearchSort, warnings: string[], report?: Reporter): Promise<string[]> {
  const top = sort === 'recent' ? await mostRecentTraces(searcher, groups, limit, warnings) : await slowestTraces(searcher, groups, limit, warnings, report);
  if (top) {
    return top;
  }
  const matching = await matchingTraceIds(searcher, groups, warnings, report);
  if (matching.length <= limit) {
    return matching;
  }
  const timings = await aggregateTraces(searcher, groups, matching, sort === 'recent' ? 'start' : 'timing', warnings, report && rankingReport(report, groups.length, matching.length, limit, sort));
  return rank([...timings.entries()], sort).slice(0, limit);
}

/**
 * Progress of ranking every matching trace: how many are ranked, and the top of those so far with
 * their exact start, duration and span count. With several index groups a trace's figures are whole
 * only once every group has been read, so until then only the count is said.
 */
function rankingReport(report: Reporter, groups: number, total: number, limit: number, sort: SearchSort): (traces: Map<string, Accumulated>, done: number, group: number) => void {
  const which = sort === 'slowest' ? 'slowest' : 'most recent';
  return (traces, done, group) => {
    if (groups > 1) {
      report(`ranking ${count(total)} matching traces: index group ${group + 1} of ${groups}, ${count(done)} traces read; the table follows once all are read`);
      return;
    }
    report(`ranked ${count(done)} of ${count(total)} matching traces; shown: the ${which} of those so far, without their root span, errors or services; the rest is loading`, () =>
      rank([...traces.entries()], sort)
        .slice(0, limit)
        .map((traceId) => {
          const { startMs, endMs, spans } = traces.get(traceId)!;
          return { traceId, startMs, durationMs: Math.max(0, endMs - startMs), spans };
        }),
    );
  };
}

/** The limit's top traces among all that match in the window, with their summaries. */
export async function searchTraces(searcher: TraceSearcher, options: SearchOptions): Promise<SearchResult> {
  const warnings: string[] = [];
  const { filters, limit, sort } = options.request;
  const groups = await searchableGroups(searcher, options.resolution, filters, options.window, warnings);
  // The probe for documents no ranking can place runs beside the ranking; its warnings still come first.
  const unplaceable = unplaceableWarnings(searcher, probesOf(groups));
  unplaceable.catch(() => undefined);
  const rankingWarnings: string[] = [];
  const report: Reporter | undefined = options.onProgress && ((stage, traces = () => []) => options.onProgress!({ stage, traces }));
  const top = await topTraceIds(searcher, groups, limit, sort, rankingWarnings, report);
  warnings.push(...(await unplaceable), ...rankingWarnings);
  const summaries = top.length > 0 ? await aggregateTraces(searcher, groups, top, 'summaries', warnings) : new Map<string, Accumulated>();
  warnings.push(...unlistable(summaries));
  const ordered = rank([...summaries.entries()].filter(([traceId]) => validateTraceId(traceId).ok), sort).slice(0, limit);
  const traces = ordered.map((traceId) => {
    const entry = summaries.get(traceId)!;
    const rootService = entry.rootService ?? entry.firstService ?? '';
    return {
      traceId,
      startMs: entry.startMs,
      durationMs: Math.max(0, entry.endMs - entry.startMs),
      rootService,
      rootName: entry.rootService !== undefined ? (entry.rootName ?? '') : (entry.firstName ?? ''),
      spans: entry.spans,
      errors: entry.errors,
      services: [...entry.services].sort((a, b) => a.localeCompare(b)),
    };
  });
  return { traces, warnings: [...new Set(warnings)] };
}
