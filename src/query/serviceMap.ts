/**
 * The service map: services and the peers they call, computed from the stored spans alone.
 *
 * Node statistics come from one aggregation per index group and are exact over the range: per
 * service, the entry spans (server and consumer spans, and roots) counted, their errors counted,
 * their duration p50 and p95 from the engine's TDigest.
 *
 * Edges need each span paired with its parent's service, a join the engines do not have. The
 * spans of the range are fetched in one page in index order when they are expected to fit (a sort
 * over a million spans costs more than the fetch), else paged sorted by start, span id and trace id
 * (search_after, 10,000 a page); `_source` limited to what the map reads where the layout says
 * which (`mapSource`), else without events, logs and links; and read by their schema's own reader,
 * so every producer's way of keeping parents (Jaeger references, Zipkin's shared client/server ids,
 * Elastic APM's derived kinds) is honoured as in the trace view. Docvalues alone cannot serve:
 * Jaeger keeps kind and peer tags in nested documents, and Zipkin's shared ids need the reader's
 * mending. Measured on the 1,000,000-span bench set, the default of 5,000 spans keeps a sampled map
 * under a second (docs/benchmarks.md).
 * Up to `maxSpans` spans the edges are exact; beyond, a sample of whole traces is joined, chosen by
 * the last hex digits of the trace id (a regexp on the keyword, the same in every group and on
 * every engine, no script), and the warnings say which share of the traces it is.
 */
import { incompleteAnswerWarnings, type SearchHit, type SearchResponse, totalHits } from '../engine/client';
import type { IndexGroup, Resolution } from '../proto/detect';
import type { LogicalSpan } from '../proto/model';
import type { JsonObject, TimeUnit } from '../proto/schema';
import type { TraceSearcher } from './fetchTrace';
import { type Collected, collectPages } from './paging';
import { logfmtPair } from './filters';
import { QueryError } from './resolve';
import { exactFields, kindClause, rangedSpanClauses, rootClause, type SpanFilters, statusClause, uncertainRootClause } from './searchClauses';
import type { TimeWindow } from './traceById';
import { DEFAULT_SERVICE_MAP_SPANS } from '../types';

export { DEFAULT_SERVICE_MAP_SPANS };

export interface ServiceMapOptions {
  resolution: Resolution;
  window: TimeWindow;
  filters?: SpanFilters;
  /** The most spans joined for the edges; more in the range means a sample of traces. */
  maxSpans?: number;
  pageSize?: number;
  /** Told after each page of spans is joined, so a caller can show the map while the rest loads. */
  onProgress?: (progress: ServiceMapProgress) => void;
}

export interface ServiceMapProgress {
  /** Span documents read so far for the edges. */
  joined: number;
  /** Span documents the join will read at most (the range's, or the sample's expected size). */
  expected: number;
  /** The map of the spans joined so far, with the services' exact statistics (call only when it is to be shown). */
  map: () => ServiceMap;
}

export interface ServiceMapNode {
  /** The service name; `peer:<name>` for a virtual node. */
  id: string;
  name: string;
  kind: 'service' | 'virtual';
  /** A virtual node's attribute filters (logfmt) finding the calls to it. */
  tags?: string;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ServiceMapEdge {
  source: string;
  target: string;
  calls: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ServiceMap {
  nodes: ServiceMapNode[];
  edges: ServiceMapEdge[];
  warnings: string[];
  /** The share of traces the edges come from: 1 when every span of the range was joined. */
  sampled: number;
  /** The length of the range in seconds, for rates. */
  rangeSeconds: number;
}

const SERVICES = 1000;
const NUMBER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const MS_PER: Record<TimeUnit, number> = { ns: 1e-6, us: 1e-3, ms: 1 };
/** Where producers keep a span's events, logs and links: not needed for the map, and the bulk of a document. */
const NOT_FOR_THE_MAP = ['events', 'logs', 'annotations', 'links', 'Events', 'Links', 'span.links'];
const VIRTUAL_PREFIX = 'peer:';

export interface NodeStatsRequest {
  body: JsonObject;
  /** Spans that are entries only if reading them finds no parent (see entryClause). */
  uncertain?: JsonObject;
  durationToMs: number | undefined;
  warnings: string[];
}

/**
 * Spans that enter a service: server and consumer spans, and roots. Where roots cannot be told by
 * a query alone (Jaeger spans whose only references are FOLLOWS_FROM), `uncertain` selects those
 * of them that are not entries by kind, to be read and decided one by one.
 */
function entryClause(group: IndexGroup): { clause: JsonObject; uncertain?: JsonObject; warning?: string } {
  const kinds = (['server', 'consumer'] as const).map((kind) => kindClause(group, kind));
  const uncertainRoots = uncertainRootClause(group);
  if (kinds.some((clause) => clause === undefined)) {
    return { clause: rootClause(group, true), uncertain: uncertainRoots, warning: `${group.indices.join(', ')}: the ${group.schema.name} layout keeps no span kind, so a service's requests are its root spans only` };
  }
  const uncertain = uncertainRoots ? { bool: { filter: [uncertainRoots], must_not: kinds as JsonObject[] } } : undefined;
  return { clause: { bool: { should: [...(kinds as JsonObject[]), rootClause(group, true)], minimum_should_match: 1 } }, uncertain };
}

/** The node statistics request for one group, or why the group cannot answer. Pure. */
export function buildNodeStatsRequest(group: IndexGroup, window: TimeWindow, filters: SpanFilters): NodeStatsRequest | { skipped: string } {
  const where = group.indices.join(', ');
  const clauses = rangedSpanClauses(group, filters, window);
  if ('skipped' in clauses) {
    return clauses;
  }
  const services = exactFields(group, 'serviceName');
  if (services.length === 0) {
    return { skipped: `skipped ${where}: the service field cannot be aggregated in this mapping` };
  }
  const warnings = [...clauses.warnings];
  if (services.length > 1) {
    warnings.push(`${where}: services are read from '${services[0]}'; spans naming their service only in ${services.slice(1).map((field) => `'${field}'`).join(', ')} are not on the map`);
  }
  const entry = entryClause(group);
  if (entry.warning) {
    warnings.push(entry.warning);
  }
  const durations = (group.schema.search?.durations ?? []).filter((duration) => NUMBER_TYPES.has(group.catalog.get(duration.field)?.type ?? ''));
  if (durations.length === 0) {
    warnings.push(`${where}: no stored duration field, so services' p50 and p95 are not computed`);
  } else if (durations.length > 1) {
    warnings.push(`${where}: services' p50 and p95 are those of '${durations[0].field}' (${durations.slice(1).map((d) => `'${d.field}'`).join(', ')} not included)`);
  }
  const entryAggs: JsonObject = { errors: { filter: statusClause(group, 'error') }, ...(durations.length > 0 ? { duration: { percentiles: { field: durations[0].field, percents: [50, 95] } } } : {}) };
  return {
    body: {
      size: 0,
      track_total_hits: true,
      query: { bool: { filter: clauses.filter, must_not: clauses.mustNot } },
      aggs: { services: { terms: { field: services[0], size: SERVICES }, aggs: { entry: { filter: entry.clause, aggs: entryAggs }, ...(entry.uncertain ? { uncertain: { filter: entry.uncertain } } : {}) } } },
    },
    uncertain: entry.uncertain,
    durationToMs: durations.length > 0 ? MS_PER[durations[0].unit] : undefined,
    warnings,
  };
}

interface ServiceStats {
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

interface ServiceBucket {
  key: string | number;
  doc_count?: number;
  uncertain?: { doc_count: number };
  entry?: { doc_count: number; errors?: { doc_count: number }; duration?: { values?: Record<string, number | null> } };
}

/** Per service, its entry spans' statistics; and the spans the group holds in the range. Pure. */
export function readNodeStats(response: SearchResponse, built: NodeStatsRequest): { services: Map<string, ServiceStats>; spans: number; uncertain: number; warnings: string[] } {
  const aggregation = response.aggregations?.services as { buckets?: ServiceBucket[]; sum_other_doc_count?: number } | undefined;
  const services = new Map<string, ServiceStats>();
  const percentile = (bucket: ServiceBucket, percent: string) => {
    const value = bucket.entry?.duration?.values?.[percent];
    return typeof value === 'number' && built.durationToMs !== undefined ? value * built.durationToMs : null;
  };
  for (const bucket of aggregation?.buckets ?? []) {
    services.set(String(bucket.key), { requests: bucket.entry?.doc_count ?? 0, errors: bucket.entry?.errors?.doc_count ?? 0, p50Ms: toMicros(percentile(bucket, '50.0')), p95Ms: toMicros(percentile(bucket, '95.0')) });
  }
  const warnings = (aggregation?.sum_other_doc_count ?? 0) > 0 ? [`more than ${SERVICES} services: only the ${SERVICES} with the most spans are on the map`] : [];
  // Spans whose service field is empty or missing fall in no bucket: counted, and said.
  const spans = totalHits(response);
  const named = (aggregation?.buckets ?? []).reduce((sum, bucket) => sum + (bucket.doc_count ?? 0), 0) + (aggregation?.sum_other_doc_count ?? 0);
  if (aggregation && spans > named) {
    warnings.push(`${spans - named} span${spans - named === 1 ? '' : 's'} of the range name${spans - named === 1 ? 's' : ''} no service: not among the services' requests`);
  }
  const uncertain = (aggregation?.buckets ?? []).reduce((sum, bucket) => sum + (bucket.uncertain?.doc_count ?? 0), 0);
  return { services, spans, uncertain, warnings };
}

const HEX_VALUES = '0123456789abcdef';

/** A character class for hex digits with values below `limit` (1..16), either case. */
function hexBelow(limit: number): string {
  const digits = HEX_VALUES.slice(0, limit);
  const letters = digits.replace(/[0-9]/g, '');
  return `[${digits}${letters.toUpperCase()}]`;
}

/**
 * A sample of whole traces: those whose trace id, read as hex, ends in one of the `chosen` lowest
 * values of its last `digits` digits. A Lucene regexp (no script, so every engine runs it), the
 * same in every group so a trace's spans are all in or all out. Pure.
 */
export function traceSampleRegexp(chosen: number, digits: number): string {
  // Numbers below `chosen` written in `digits` hex digits: for each position, the digits of
  // `chosen` before it, a smaller digit there, anything after.
  const target = chosen.toString(16).padStart(digits, '0');
  const any = hexBelow(16);
  const alternatives: string[] = [];
  for (let i = 0; i < digits; i++) {
    const digit = HEX_VALUES.indexOf(target[i]);
    if (digit > 0) {
      const prefix = [...target.slice(0, i)].map((c) => (/[a-f]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');
      alternatives.push(`${prefix}${hexBelow(digit)}${digits - i - 1 > 0 ? `${any}{${digits - i - 1}}` : ''}`);
    }
  }
  return `.*(${alternatives.join('|')})`;
}

/** The digits and count of trace id endings that keep at least `share` of the traces. */
export function sampleShare(share: number): { chosen: number; digits: number; share: number } {
  let digits = 2;
  // Enough digits that rounding up to a whole ending keeps the share within an eighth of what was asked.
  while (digits < 6 && share * 16 ** digits < 8) {
    digits++;
  }
  const chosen = Math.min(16 ** digits, Math.max(1, Math.floor(share * 16 ** digits)));
  return { chosen, digits, share: chosen / 16 ** digits };
}

/** The attributes `peerOf` reads, in the order it prefers them. */
const PEER_KEYS = ['peer.service', 'server.address', 'net.peer.name', 'db.system', 'db.namespace', 'db.name', 'messaging.system', 'messaging.destination.name', 'messaging.destination', 'service.target.type', 'service.target.name', 'span.destination.service.resource'];

/**
 * The request for one page of the range's spans for the join, sorted so search_after can page; or,
 * with `searchAfter` null, all of them in one page in index order (no sort to pay for). Pure.
 */
export function buildEdgeSpansRequest(group: IndexGroup, window: TimeWindow, filters: SpanFilters, sample: { chosen: number; digits: number } | undefined, searchAfter: unknown[] | undefined | null, size: number): JsonObject | { skipped: string } {
  const where = group.indices.join(', ');
  const clauses = rangedSpanClauses(group, filters, window);
  if ('skipped' in clauses) {
    return clauses;
  }
  const traceIds = exactFields(group, 'traceId');
  if (traceIds.length === 0) {
    return { skipped: `skipped ${where}: its trace id is not kept as an exact (keyword) value, so its spans cannot be paired` };
  }
  const sampleClause = sample ? [{ regexp: { [traceIds[0]]: { value: traceSampleRegexp(sample.chosen, sample.digits), flags: 'NONE' } } }] : [];
  return {
    size,
    track_total_hits: !searchAfter,
    _source: group.schema.mapSource ? { includes: group.schema.mapSource(PEER_KEYS) } : { excludes: NOT_FOR_THE_MAP },
    query: { bool: { filter: [...clauses.filter, ...sampleClause], must_not: clauses.mustNot } },
    sort: searchAfter === null ? ['_doc'] : [...group.schema.pagingSort(group.catalog), { [traceIds[0]]: 'asc' }],
    ...(searchAfter ? { search_after: searchAfter } : {}),
  };
}

/** A peer nobody traces: its name, and the attribute filters (logfmt) that find the calls to it. */
export interface Peer {
  name: string;
  tags: string;
}

/**
 * What a call from a client or producer span goes to, when no traced service answered it: the
 * first of peer.service, server.address, db.system (with db.namespace), messaging.system (with the
 * destination). Keys are also looked for as Elastic APM keeps labels (dots as `_`), and APM
 * Server's own `service.target.*` and `span.destination.service.resource` come last.
 */
export function peerOf(span: LogicalSpan): Peer | undefined {
  const found = (key: string): [string, string] | undefined => {
    for (const name of [key, key.replace(/\./g, '_')]) {
      const value = span.attributes[name];
      if ((typeof value === 'string' && value !== '') || typeof value === 'number') {
        return [name, String(value)];
      }
    }
    return undefined;
  };
  const either = (...keys: string[]) => keys.map(found).find((pair) => pair !== undefined);
  const peer = (...pairs: Array<[string, string] | undefined>): Peer | undefined => {
    const present = pairs.filter((pair): pair is [string, string] => pair !== undefined);
    return pairs[0] === undefined ? undefined : { name: present.map(([, value]) => value).join(' '), tags: present.map(([key, value]) => logfmtPair(key, value)).join(' ') };
  };
  return (
    peer(either('peer.service')) ??
    peer(either('server.address', 'net.peer.name')) ??
    peer(found('db.system'), either('db.namespace', 'db.name')) ??
    peer(found('messaging.system'), either('messaging.destination.name', 'messaging.destination')) ??
    peer(found('service.target.type'), found('service.target.name')) ??
    peer(found('span.destination.service.resource'))
  );
}

/** Milliseconds to the microsecond, as stored durations are kept at best. */
const toMicros = (ms: number | null) => (ms === null ? null : Math.round(ms * 1000) / 1000);

/** Exact percentile by linear interpolation between closest ranks (numpy's default), of sorted values. */
export function exactPercentile(sorted: number[], percent: number): number | null {
  if (sorted.length === 0) {
    return null;
  }
  const rank = (percent / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

interface EdgeTally {
  calls: number;
  errors: number;
  durations: number[];
}

export interface JoinedEdges {
  edges: Map<string, { source: string; target: string; tally: EdgeTally }>;
  /** Per virtual node id, the attribute filters that find the calls to it. */
  peerTags: Map<string, string>;
  /** Spans whose parent was not among the spans read (outside the range, or never stored). */
  orphans: number;
  /** Client and producer spans that reached no traced service and name no peer. */
  unnamedCalls: number;
  /** Spans without a duration, counted in calls but not in percentiles. */
  withoutDuration: number;
}

const durationMs = (span: LogicalSpan) => (span.durationNano === undefined ? undefined : Number(span.durationNano) / 1e6);

/**
 * Edges from the spans of whole traces: caller service to callee service where a span's parent is
 * in another service (callee side: the child's duration and status), and a client or producer span
 * with no child in another service to the peer it names (its own duration and status). Pure.
 */
export function joinEdges(traces: Iterable<LogicalSpan[]>, into?: JoinedEdges): JoinedEdges {
  const joined = into ?? { edges: new Map(), peerTags: new Map(), orphans: 0, unnamedCalls: 0, withoutDuration: 0 };
  const tally = (source: string, target: string, span: LogicalSpan) => {
    const key = JSON.stringify([source, target]);
    const edge = joined.edges.get(key) ?? { source, target, tally: { calls: 0, errors: 0, durations: [] } };
    edge.tally.calls++;
    edge.tally.errors += span.statusCode === 2 ? 1 : 0;
    const ms = durationMs(span);
    ms === undefined ? joined.withoutDuration++ : edge.tally.durations.push(ms);
    joined.edges.set(key, edge);
  };
  for (const spans of traces) {
    const byId = new Map<string, LogicalSpan>();
    for (const span of spans) {
      byId.set(span.spanId, span);
    }
    const callsOut = new Set<LogicalSpan>();
    for (const span of spans) {
      if (!span.parentSpanId) {
        continue;
      }
      const parent = byId.get(span.parentSpanId);
      if (!parent) {
        joined.orphans++;
      } else if (parent.serviceName !== span.serviceName) {
        callsOut.add(parent);
        tally(parent.serviceName, span.serviceName, span);
      }
    }
    for (const span of spans) {
      if ((span.kind === 'client' || span.kind === 'producer') && !callsOut.has(span)) {
        const peer = peerOf(span);
        if (peer === undefined) {
          joined.unnamedCalls++;
        } else {
          tally(span.serviceName, VIRTUAL_PREFIX + peer.name, span);
          joined.peerTags.set(VIRTUAL_PREFIX + peer.name, joined.peerTags.get(VIRTUAL_PREFIX + peer.name) ?? peer.tags);
        }
      }
    }
  }
  return joined;
}

/** Up to this share of a page expected, the spans are asked for in one page. */
const ONE_PAGE_SHARE = 0.8;

/** The most uncertain roots read to decide them. */
const UNCERTAIN_ROOTS = 10_000;

/**
 * Reads the spans only reading can tell roots from children (Jaeger spans whose references are all
 * FOLLOWS_FROM) with the group's own reader, and counts those it finds no parent for as requests.
 * Their durations cannot join the engine's percentiles: a warning says how many are left out.
 */
async function readUncertainRoots(searcher: TraceSearcher, group: IndexGroup, built: NodeStatsRequest, options: ServiceMapOptions, filters: SpanFilters): Promise<{ services: Map<string, { requests: number; errors: number }>; warnings: string[] }> {
  const services = new Map<string, { requests: number; errors: number }>();
  const query = (built.body.query as { bool: { filter: JsonObject[]; must_not: JsonObject[] } }).bool;
  let roots = 0;
  const collected = await collectPages(
    searcher,
    group.indices.join(','),
    (searchAfter, size) => ({ size, _source: { excludes: NOT_FOR_THE_MAP }, query: { bool: { filter: [...query.filter, built.uncertain!], must_not: query.must_not } }, sort: group.schema.pagingSort(group.catalog), ...(searchAfter ? { search_after: searchAfter } : {}), track_total_hits: searchAfter === undefined }),
    { limit: UNCERTAIN_ROOTS, pageSize: options.pageSize ?? 10_000, what: 'spans with only FOLLOWS_FROM references', sortKeys: 'start, span id' },
    (hits) => {
      for (const span of group.schema.readHits(hits).spans.filter((candidate) => candidate.parentSpanId === undefined)) {
        const known = services.get(span.serviceName) ?? { requests: 0, errors: 0 };
        services.set(span.serviceName, { requests: known.requests + 1, errors: known.errors + (span.statusCode === 2 ? 1 : 0) });
        roots++;
      }
    }
  );
  const warnings = [...collected.warnings];
  if (collected.total > collected.fetched) {
    warnings.push(`${group.indices.join(', ')}: ${collected.total} spans have only FOLLOWS_FROM references; the first ${collected.fetched} were read to tell roots among them, the rest are not counted as requests`);
  }
  if (roots > 0) {
    warnings.push(`${group.indices.join(', ')}: ${plural(roots, 'root span')} linking to other traces ${roots === 1 ? 'is' : 'are'} counted in requests and errors but not in p50 and p95`);
  }
  return { services, warnings };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Services with their entry spans' statistics, virtual peers and the calls between them. */
/** The map's nodes and edges from the joined calls and the services' entry statistics (left as they are). */
function nodesAndEdges(joined: ReturnType<typeof joinEdges>, entryStats: Map<string, ServiceStats>): { nodes: ServiceMapNode[]; edges: ServiceMapEdge[] } {
  const services = new Map(entryStats);
  const edges: ServiceMapEdge[] = [];
  const virtual = new Map<string, EdgeTally>();
  for (const { source, target, tally } of joined.edges.values()) {
    const sorted = [...tally.durations].sort((a, b) => a - b);
    edges.push({ source, target, calls: tally.calls, errors: tally.errors, p50Ms: toMicros(exactPercentile(sorted, 50)), p95Ms: toMicros(exactPercentile(sorted, 95)) });
    if (target.startsWith(VIRTUAL_PREFIX)) {
      const known = virtual.get(target) ?? { calls: 0, errors: 0, durations: [] };
      known.calls += tally.calls;
      known.errors += tally.errors;
      known.durations.push(...tally.durations);
      virtual.set(target, known);
    }
    for (const name of [source, target]) {
      if (!name.startsWith(VIRTUAL_PREFIX) && !services.has(name)) {
        // A service seen in the join but not by the aggregation (its name kept in another field): no entry statistics.
        services.set(name, { requests: 0, errors: 0, p50Ms: null, p95Ms: null });
      }
    }
  }
  const nodes: ServiceMapNode[] = [
    ...[...services.entries()].map(([name, stats]): ServiceMapNode => ({ id: name, name, kind: 'service', ...stats })),
    ...[...virtual.entries()].map(([id, tally]): ServiceMapNode => {
      const sorted = [...tally.durations].sort((a, b) => a - b);
      return { id, name: id.slice(VIRTUAL_PREFIX.length), kind: 'virtual', tags: joined.peerTags.get(id), requests: tally.calls, errors: tally.errors, p50Ms: toMicros(exactPercentile(sorted, 50)), p95Ms: toMicros(exactPercentile(sorted, 95)) };
    }),
  ].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  edges.sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target));
  return { nodes, edges };
}

export async function serviceMap(searcher: TraceSearcher, options: ServiceMapOptions): Promise<ServiceMap> {
  const filters = options.filters ?? { tags: [] };
  const warnings: string[] = [];
  const services = new Map<string, ServiceStats>();
  const answering: IndexGroup[] = [];
  const groupSpans = new Map<IndexGroup, number>();
  let spans = 0;
  for (const group of options.resolution.groups) {
    const built = buildNodeStatsRequest(group, options.window, filters);
    if ('skipped' in built) {
      warnings.push(built.skipped);
      continue;
    }
    answering.push(group);
    warnings.push(...built.warnings);
    const response = await searcher.search(group.indices.join(','), built.body);
    warnings.push(...incompleteAnswerWarnings(response));
    const read = readNodeStats(response, built);
    warnings.push(...read.warnings);
    spans += read.spans;
    groupSpans.set(group, read.spans);
    if (read.uncertain > 0 && built.uncertain) {
      const roots = await readUncertainRoots(searcher, group, built, options, filters);
      warnings.push(...roots.warnings);
      for (const [name, found] of roots.services) {
        const stats = read.services.get(name) ?? { requests: 0, errors: 0, p50Ms: null, p95Ms: null };
        read.services.set(name, { ...stats, requests: stats.requests + found.requests, errors: stats.errors + found.errors });
      }
    }
    for (const [name, stats] of read.services) {
      const known = services.get(name);
      if (known && known.requests > 0 && stats.requests > 0) {
        warnings.push(`'${name}' has entry spans in more than one index group: its p50 and p95 are those of the group with more of them`);
      }
      const keep = !known || stats.requests > known.requests;
      services.set(name, { requests: (known?.requests ?? 0) + stats.requests, errors: (known?.errors ?? 0) + stats.errors, p50Ms: keep ? stats.p50Ms : known.p50Ms, p95Ms: keep ? stats.p95Ms : known.p95Ms });
    }
  }
  if (answering.length === 0) {
    throw new QueryError(`no index group can answer the service map: ${warnings.join('; ') || 'no span indices'}`);
  }

  const maxSpans = options.maxSpans ?? DEFAULT_SERVICE_MAP_SPANS;
  const sample = spans > maxSpans ? sampleShare(maxSpans / spans) : undefined;
  // A sample's size varies around its share; a quarter more leaves room before traces would be cut.
  const limit = sample ? Math.ceil(maxSpans * 1.25) : maxSpans;
  const traces = new Map<string, LogicalSpan[][]>();
  const unread = new Set<string>();
  const rangeSeconds = Math.max(Number(options.window.toNs - options.window.fromNs) / 1e9, 1e-9);
  const expectedSpans = Math.min(limit, Math.round(spans * (sample ? sample.share : 1)));
  let fetched = 0;
  let cut = false;
  for (const group of answering) {
    const groupTraces = new Map<string, LogicalSpan[]>();
    let groupFetched = 0;
    /** The map of the spans joined so far: the groups done, and this group's pages. */
    const partialMap = (): ServiceMap => {
      const lists = new Map([...traces].map(([traceId, parts]) => [traceId, parts.flat()]));
      for (const [traceId, list] of groupTraces) {
        lists.set(traceId, [...(lists.get(traceId) ?? []), ...list]);
      }
      return { ...nodesAndEdges(joinEdges([...lists.values()]), services), warnings: [], sampled: sample ? sample.share : 1, rangeSeconds };
    };
    // A layout with neither a duration nor an end (the otel exporter's ecs mode) reads every span as 0 long.
    const durationsKept = (group.schema.search?.durations.length ?? 0) > 0 || group.schema.search?.end !== undefined;
    const first = buildEdgeSpansRequest(group, options.window, filters, sample, undefined, 1);
    if ('skipped' in first) {
      warnings.push(`no edges from ${first.skipped as string}`);
      continue;
    }
    const onPage = (hits: SearchHit[]) => {
      const read = group.schema.readHits(hits);
      // Documents the reader could not make a span of (no ids, no start): named, never silently left out.
      read.warnings.forEach((warning) => unread.add(warning));
      for (const span of read.spans) {
        if (!durationsKept) {
          span.durationNano = undefined;
        }
        const list = groupTraces.get(span.traceId);
        list ? list.push(span) : groupTraces.set(span.traceId, [span]);
      }
      groupFetched += hits.length;
      options.onProgress?.({ joined: fetched + groupFetched, expected: Math.max(expectedSpans, fetched + groupFetched), map: partialMap });
    };
    const pageSize = options.pageSize ?? 10_000;
    const expected = (groupSpans.get(group) ?? 0) * (sample ? sample.share : 1);
    // Expected to fit one page with room to spare: one request in index order, no sort to pay for.
    const whole = expected <= pageSize * ONE_PAGE_SHARE && limit - fetched >= pageSize ? await searcher.search(group.indices.join(','), buildEdgeSpansRequest(group, options.window, filters, sample, null, pageSize) as JsonObject) : undefined;
    const wholeHits = whole?.hits?.hits ?? [];
    // The group answered the first request, so every page's request is built the same way.
    const build = (searchAfter: unknown[] | undefined, size: number) => buildEdgeSpansRequest(group, options.window, filters, sample, searchAfter, size) as JsonObject;
    let collected: Collected;
    if (whole && wholeHits.length === totalHits(whole)) {
      onPage(wholeHits);
      collected = { fetched: wholeHits.length, total: wholeHits.length, warnings: incompleteAnswerWarnings(whole) };
    } else {
      collected = await collectPages(searcher, group.indices.join(','), build, { limit: Math.max(limit - fetched, 1), pageSize, what: 'span documents of the range', sortKeys: 'start, span id, trace id' }, onPage);
    }
    warnings.push(...collected.warnings);
    fetched += collected.fetched;
    cut ||= collected.total > collected.fetched;
    for (const [traceId, list] of groupTraces) {
      group.schema.finishTrace?.(list);
      const known = traces.get(traceId);
      known ? known.push(list) : traces.set(traceId, [list]);
    }
    if (fetched >= limit) {
      cut ||= answering.indexOf(group) < answering.length - 1;
      break;
    }
  }
  const joined = joinEdges([...traces.values()].map((lists) => lists.flat()));
  const { nodes, edges } = nodesAndEdges(joined, services);

  if (sample) {
    warnings.unshift(`edges and peers from a sample of ${(sample.share * 100).toPrecision(3)}% of the traces (${fetched} of the range's ${spans} spans; more than the ${maxSpans} joined in full): their calls are the sample's, not the range's. Services' requests, errors and percentiles are exact. Raise "Service map spans" in the data source settings (--max-spans on the command line) to join more`);
  }
  if (cut) {
    warnings.push(`the join stopped at ${fetched} spans: the edges miss the calls of the spans beyond`);
  }
  if (unread.size > 0) {
    warnings.push(`span documents left out of the edges: ${[...unread].slice(0, 3).join('; ')}${unread.size > 3 ? ` (and ${unread.size - 3} more)` : ''}`);
  }
  if (joined.orphans > 0) {
    warnings.push(`${plural(joined.orphans, 'span')} ${joined.orphans === 1 ? 'has its parent' : 'have their parents'} outside the range or never stored: ${joined.orphans === 1 ? 'its caller is' : 'their callers are'} not on the map`);
  }
  if (joined.unnamedCalls > 0) {
    warnings.push(`${plural(joined.unnamedCalls, 'client or producer span')} reached no traced service and ${joined.unnamedCalls === 1 ? 'names' : 'name'} no peer (peer.service, server.address, db.system, messaging.system): not on the map`);
  }
  if (joined.withoutDuration > 0) {
    warnings.push(`${plural(joined.withoutDuration, 'call')} without a stored duration ${joined.withoutDuration === 1 ? 'is' : 'are'} counted but not in the edges' percentiles`);
  }

  return { nodes, edges, warnings: [...new Set(warnings)], sampled: sample ? sample.share : 1, rangeSeconds };
}
