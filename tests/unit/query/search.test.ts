import { engineErrorFromResponse } from '../../../src/engine/errors';
import { resolveSchemas } from '../../../src/proto/detect';
import { dynamicText, otelDynamicGroup } from './otelDynamic';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import { DATA_PREPPER_SPAN_MAPPING } from '../../../src/proto/dataPrepper';
import { FilterError } from '../../../src/query/filters';
import { buildLatestTracesRequest, buildMatchingTracesRequest, buildTraceAggregationRequest, parseSearchInput, searchTraces } from '../../../src/query/search';
import { attributeClause, endSource, rootClause, spanFilterClauses, startSource, statusClause } from '../../../src/query/searchClauses';

const keyword = { type: 'keyword' };
const text = dynamicText;

/** otel documents as OpenSearch maps them dynamically, with typed attributes. */
const otelDynamic = otelDynamicGroup({ http: { properties: { response: { properties: { status_code: { type: 'long' } } } } }, app: { properties: { vip: { type: 'boolean' }, note: text, blob: { type: 'text' } } } });
const jaeger = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: JAEGER_SPAN_MAPPING } }).groups[0];
const dataPrepper = resolveSchemas('otel-v1-apm-span*', { 'otel-v1-apm-span-000001': { mappings: { ...DATA_PREPPER_SPAN_MAPPING, properties: { ...(DATA_PREPPER_SPAN_MAPPING.properties as object), span: { properties: { attributes: { properties: { 'http@method': keyword } } } } } } } }).groups[0];

describe('parseSearchInput', () => {
  it('defaults to the 20 most recent traces with no filters', () => {
    expect(parseSearchInput({})).toEqual({ filters: { service: undefined, operation: undefined, tags: [], minDurationNs: undefined, maxDurationNs: undefined, status: undefined }, limit: 20, sort: 'recent' });
  });

  it('reads durations exactly in nanoseconds and keeps several services of a multi-value variable', () => {
    const parsed = parseSearchInput({ service: ['a', ' b '], minDuration: '1.5ms', maxDuration: '2s', status: 'error', limit: '5', sort: 'slowest' });
    expect(parsed.filters).toMatchObject({ service: ['a', 'b'], minDurationNs: BigInt(1_500_000), maxDurationNs: BigInt(2_000_000_000), status: 'error' });
    expect(parsed).toMatchObject({ limit: 5, sort: 'slowest' });
  });

  it.each([
    [{ minDuration: 'fast' }, "min duration 'fast' is not a duration"],
    [{ maxDuration: '10' }, "max duration '10' is not a duration"],
    [{ minDuration: '2s', maxDuration: '1s' }, "min duration '2s' is longer than max duration '1s'"],
    [{ limit: 0 }, "limit '0' must be a whole number from 1 to 1000"],
    [{ limit: '1001' }, "limit '1001' must be a whole number from 1 to 1000"],
    [{ limit: '2.5' }, "limit '2.5' must be a whole number from 1 to 1000"],
    [{ status: 'failed' }, "status 'failed' is not one of error, ok, unset"],
    [{ sort: 'oldest' }, "sort 'oldest' is not one of recent, slowest"],
    [{ tags: 'a="open' }, "the quoted value of 'a' is not closed"],
  ])('refuses %j with a message naming the problem', (input, message) => {
    expect(() => parseSearchInput(input)).toThrow(FilterError);
    expect(() => parseSearchInput(input)).toThrow(message);
  });
});

describe('span filter clauses', () => {
  it('matches attributes by their mapped type on otel dynamic mappings: numbers, booleans, keyword sub-fields', () => {
    expect(attributeClause(otelDynamic, { key: 'http.response.status_code', value: '500', quoted: false })).toEqual({ clause: { term: { 'attributes.http.response.status_code': 500 } } });
    expect(attributeClause(otelDynamic, { key: 'app.vip', value: 'true', quoted: false })).toEqual({ clause: { term: { 'attributes.app.vip': true } } });
    expect(attributeClause(otelDynamic, { key: 'app.note', value: 'a* OR "b":c\\', quoted: true })).toEqual({ clause: { term: { 'attributes.app.note.keyword': 'a* OR "b":c\\' } } });
    expect(attributeClause(otelDynamic, { key: 'service.name', value: 'checkout', quoted: false })).toEqual({ clause: { term: { 'resource.attributes.service.name.keyword': 'checkout' } } });
  });

  it('names values the mapping cannot hold and keys it does not have', () => {
    expect(attributeClause(otelDynamic, { key: 'http.response.status_code', value: 'abc', quoted: false })).toEqual({ problem: "attribute 'http.response.status_code' holds numbers (long), and 'abc' is not a number", unknown: false });
    expect(attributeClause(otelDynamic, { key: 'app.vip', value: 'yes', quoted: false })).toMatchObject({ problem: "attribute 'app.vip' holds true or false, and 'yes' is neither" });
    expect(attributeClause(otelDynamic, { key: 'app.blob', value: 'x', quoted: false })).toMatchObject({ problem: "attribute 'app.blob' is stored as text without an exact (keyword) form, so it cannot be matched" });
    expect(attributeClause(otelDynamic, { key: 'nope', value: 'x', quoted: false })).toEqual({ problem: "unknown attribute 'nope': no span or resource attribute of that name is mapped in traces", unknown: true });
  });

  it("searches Jaeger's nested span and process tags and Data Prepper's '@'-encoded keys", () => {
    const tag = (path: string) => ({ nested: { path, query: { bool: { filter: [{ term: { [`${path}.key`]: 'http.method' } }, { term: { [`${path}.value`]: 'GET' } }] } } } });
    expect(attributeClause(jaeger, { key: 'http.method', value: 'GET', quoted: false })).toEqual({ clause: { bool: { should: [tag('tags'), tag('process.tags')], minimum_should_match: 1 } } });
    expect(attributeClause(dataPrepper, { key: 'http.method', value: 'GET', quoted: false })).toEqual({ clause: { term: { 'span.attributes.http@method': 'GET' } } });
  });

  it('rounds duration bounds so a microsecond field compares exactly with nanosecond input', () => {
    const clauses = spanFilterClauses(jaeger, { tags: [], minDurationNs: BigInt(1_500), maxDurationNs: BigInt(2_999) });
    expect(clauses).toEqual({ ok: true, filter: [{ range: { duration: { gte: 2, lte: 2 } } }], mustNot: [] });
  });

  it('keeps otel span events and log records out of span searches and uses exact service and name fields', () => {
    expect(spanFilterClauses(otelDynamic, { tags: [], service: ['a', 'b'], operation: 'GET /' })).toEqual({
      ok: true,
      filter: [{ terms: { 'resource.attributes.service.name.keyword': ['a', 'b'] } }, { term: { 'name.keyword': 'GET /' } }],
      // Span events and log records share the exporter's NAME-logs index.
      mustNot: [{ exists: { field: 'event_name' } }, { exists: { field: 'severity_text' } }, { exists: { field: 'severity_number' } }, { exists: { field: 'body' } }],
    });
  });

  it('reads status as each producer stores it: names, integers, Jaeger tags; unset is neither error nor ok', () => {
    expect(statusClause(otelDynamic, 'error')).toEqual({ terms: { 'status.code.keyword': ['Error'] } });
    expect(statusClause(dataPrepper, 'ok')).toEqual({ terms: { 'status.code': [1] } });
    expect(statusClause(dataPrepper, 'unset')).toEqual({ bool: { must_not: [{ terms: { 'status.code': [2] } }, { terms: { 'status.code': [1] } }] } });
    expect(JSON.stringify(statusClause(jaeger, 'error'))).toContain('{"term":{"tags.key":"error"}},{"term":{"tags.value":"true"}}');
  });

  it("finds Jaeger status in nested tags and in the tag.* fields Jaeger v2 writes by default, for error, ok and unset", () => {
    const error = JSON.stringify(statusClause(jaeger, 'error'));
    expect(error).toContain('{"term":{"tag.error":"true"}}');
    expect(error).toContain('{"term":{"tag.otel@status_code":"ERROR"}}');
    expect(JSON.stringify(statusClause(jaeger, 'ok'))).toContain('{"term":{"tag.otel@status_code":"OK"}}');
    expect(JSON.stringify(statusClause(jaeger, 'unset'))).toContain('{"term":{"tag.error":"true"}}');
  });

  it('treats a span without parent, or with an empty one, as a root; Jaeger also needs no CHILD_OF reference', () => {
    expect(rootClause(dataPrepper)).toEqual({ bool: { must_not: [{ bool: { filter: [{ exists: { field: 'parentSpanId' } }], must_not: [{ term: { parentSpanId: '' } }] } }] } });
    expect(JSON.stringify(rootClause(jaeger))).toContain('"references.refType":"CHILD_OF"');
  });
});

describe('trace start and end aggregation', () => {
  it('aggregates stored date and numeric fields directly and scales microseconds to milliseconds', () => {
    expect(startSource(dataPrepper)?.agg).toEqual({ field: 'startTime' });
    expect(endSource(dataPrepper)?.agg).toEqual({ field: 'endTime' });
    expect(startSource(jaeger)?.agg).toEqual({ field: 'startTime' });
    expect(startSource(jaeger)?.toMs(1_715_678_467_123_456)).toBeCloseTo(1_715_678_467_123.456, 3);
  });

  it('uses a script only where no stored field holds the value, with field names as parameters', () => {
    const start = startSource(otelDynamic)?.agg as { script: { source: string; params: Record<string, unknown> } };
    expect(start.script.params).toEqual({ start: '@timestamp.keyword', startKind: 'text', startScale: 1 });
    expect(start.script.source).not.toContain('@timestamp');
    const end = endSource(jaeger)?.agg as { script: { params: Record<string, unknown> } };
    expect(end.script.params).toEqual({ start: 'startTime', startKind: 'number', startScale: 0.001, durations: ['duration'], scales: [0.001] });
  });
});

describe('search requests', () => {
  const searchable = { group: dataPrepper, traceField: 'traceId', filter: [{ term: { serviceName: 'checkout' } }], spanFilter: [{ term: { serviceName: 'checkout' } }], mustNot: [] };

  it('pages matching trace ids with a composite aggregation and never fetches documents', () => {
    expect(buildMatchingTracesRequest(searchable, { trace: 'abc' })).toEqual({
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: [{ term: { serviceName: 'checkout' } }], must_not: [] } },
      aggs: { traces: { composite: { size: 10000, sources: [{ trace: { terms: { field: 'traceId' } } }], after: { trace: 'abc' } } } },
    });
  });

  it('summarises the found traces over all their spans: counts, errors, services, root and first span', () => {
    const body = buildTraceAggregationRequest(searchable, ['t1', 't2'], 'summaries') as { query: unknown; aggs: { traces: { terms: unknown; aggs: Record<string, unknown> } } };
    expect(body.query).toEqual({ bool: { filter: [{ terms: { traceId: ['t1', 't2'] } }], must_not: [] } });
    expect(body.aggs.traces.terms).toEqual({ field: 'traceId', size: 2 });
    expect(Object.keys(body.aggs.traces.aggs).sort()).toEqual(['end', 'errors', 'first', 'root', 'services_0', 'start']);
  });

  it('ranks recent traces on their start alone, leaving out the end (a script on most schemas)', () => {
    const body = buildTraceAggregationRequest(searchable, ['t1'], 'start') as { aggs: { traces: { aggs: Record<string, unknown> } } };
    expect(body.aggs.traces.aggs).toEqual({ start: { min: { field: 'startTime' } } });
  });
});

describe('most recent traces without ranking every match', () => {
  /**
   * 100 traces (ids a000..a063 in hex): the first 40 have the latest matching spans but started
   * long ago; the rest started just before their latest span. The most recent trace is the 41st
   * (a028), found only once the candidate list grows past the first 40.
   */
  const ids = Array.from({ length: 100 }, (_, i) => (0xa000 + i).toString(16));
  const latest = (i: number) => 1_000_000 - i;
  const start = (i: number) => (i < 40 ? i : latest(i) - 1);

  function searcher() {
    const sizes: number[] = [];
    return {
      sizes,
      async search(_indices: string, body: Record<string, unknown>) {
        const shards = { total: 1, successful: 1, failed: 0 };
        if ((body.aggs as Record<string, unknown>).reasons) {
          // The probe for documents that cannot be placed: there are none here.
          return { _shards: shards, hits: { total: { value: 0, relation: 'eq' }, hits: [] }, aggregations: { reasons: { buckets: {} } } };
        }
        const traces = (body.aggs as { traces: { terms: { size: number; order?: unknown }; aggs: Record<string, unknown> } }).traces;
        if (traces.terms.order) {
          sizes.push(traces.terms.size);
          const top = ids.slice(0, traces.terms.size);
          return { _shards: shards, aggregations: { traces: { sum_other_doc_count: ids.length - top.length, buckets: top.map((id, i) => ({ key: id, doc_count: 1, latest: { value: latest(i) } })) } } };
        }
        const wanted = ((body.query as { bool: { filter: Array<{ terms: Record<string, string[]> }> } }).bool.filter[0].terms.traceId ?? []) as string[];
        return { _shards: shards, aggregations: { traces: { buckets: wanted.map((id) => ({ key: id, doc_count: 1, start: { value: start(ids.indexOf(id)) }, end: { value: latest(ids.indexOf(id)) } })) } } };
      },
    };
  }

  it('grows the candidates until the limit-th start is past every other trace, and answers exactly', async () => {
    const fake = searcher();
    const result = await searchTraces(fake as never, { resolution: { pattern: 'p', groups: [dataPrepper], unknown: [] }, request: parseSearchInput({ limit: 1 }) });
    expect(result.traces.map((trace) => trace.traceId)).toEqual(['a028']);
    expect(fake.sizes).toEqual([40, 160]);
  });
});

describe('latest traces request', () => {
  it('orders candidates by a max over a numeric start, and collapses on the trace id where the start is otel text', () => {
    const numeric = buildLatestTracesRequest({ group: jaeger, traceField: 'traceID', filter: [], spanFilter: [], mustNot: [] }, 40);
    expect(numeric?.body.aggs).toEqual({ traces: { terms: { field: 'traceID', size: 40, order: { latest: 'desc' } }, aggs: { latest: { max: { field: 'startTime' } } } } });
    const text = buildLatestTracesRequest({ group: otelDynamic, traceField: 'trace_id.keyword', filter: [], spanFilter: [], mustNot: [] }, 40);
    expect(text?.body).toMatchObject({ size: 40, _source: ['trace_id'], sort: [{ '@timestamp.keyword': 'desc' }], collapse: { field: 'trace_id.keyword' } });
    expect(JSON.stringify(text?.body)).not.toContain('script');
  });

  it("bounds a trace whose latest start is otel text by the next millisecond, since '.40000' sorts before '.5000'", () => {
    const text = buildLatestTracesRequest({ group: otelDynamic, traceField: 'trace_id.keyword', filter: [], spanFilter: [], mustNot: [] }, 40);
    const read = text!.read({ hits: { hits: [{ _index: 'i', _id: '1', _source: { trace_id: 'abc' }, sort: ['1715678467123.5000'] }, { _index: 'i', _id: '2', _source: { trace_id: 'def' }, sort: ['1715678467123.40000'] }] } });
    expect(read).toEqual({ latest: [['abc', 1715678467124], ['def', 1715678467124]], complete: true });
  });
});

describe('slowest traces from bounds', () => {
  const FROM_MS = 1_767_225_600_000;
  const TO_MS = FROM_MS + 3_600_000;
  const window = { fromNs: BigInt(FROM_MS) * BigInt(1_000_000), toNs: BigInt(TO_MS) * BigInt(1_000_000) };
  /** A Jaeger span (start and duration stored in microseconds), its start given relative to the window's. */
  interface Span {
    traceId: string;
    startMs: number;
    durationMs: number;
  }
  const span = (traceId: string, startMs: number, durationMs: number): Span => ({ traceId, startMs, durationMs });
  const startUs = (s: Span) => (FROM_MS + s.startMs) * 1000;
  const inWindow = (s: Span) => s.startMs >= 0 && FROM_MS + s.startMs <= TO_MS;
  const upperMs = (own: Span[]) => Math.max(...own.map((s) => s.startMs)) + Math.max(0, ...own.map((s) => s.durationMs)) - Math.min(...own.map((s) => s.startMs));

  interface SearchFixture {
    matching?: string[];
    longest?: Record<string, number>;
    /** Answer a bucket_selector as Elasticsearch 8 run without its aggregations module does. */
    refuseSelector?: boolean;
  }

  /**
   * Answers a slowest search's requests over Jaeger spans as an engine would, the bucket_selector
   * included (or refused); `matching` stands for the filters (the traces with a matching span, and their spans
   * for the longest-spans sort); `longest` replaces a trace's longest span as the sort sees it (a
   * multi-valued duration sorts by its largest value). Records the requests and the traces measured.
   */
  function engine(spans: Span[], options: SearchFixture = {}) {
    const measured: string[][] = [];
    const requests: string[] = [];
    const shards = { total: 1, successful: 1, failed: 0 };
    const grouped = (selected: Span[]) => {
      const traces = new Map<string, Span[]>();
      selected.forEach((s) => traces.set(s.traceId, [...(traces.get(s.traceId) ?? []), s]));
      return [...traces.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    };
    const byTrace = (selected: Span[], bucket: (own: Span[]) => Record<string, unknown>, keep: (own: Span[]) => boolean = () => true) =>
      grouped(selected)
        .filter(([, own]) => keep(own))
        .map(([key, own]) => ({ key, doc_count: own.length, ...bucket(own) }));
    const bounds = (own: Span[]) => ({ first_start: { value: Math.min(...own.map(startUs)) }, last_start: { value: Math.max(...own.map(startUs)) }, longest_0: { value: Math.max(...own.map((s) => s.durationMs * 1000)) } });
    const matches = (s: Span) => inWindow(s) && (!options.matching || options.matching.includes(s.traceId));
    const kept = (selected: Span[], keep: { bucket_selector: { script: { params: { floor: number; slack: number } } } } | undefined) =>
      byTrace(selected, bounds, (own) => !keep || upperMs(own) + keep.bucket_selector.script.params.slack >= keep.bucket_selector.script.params.floor);
    return {
      measured,
      requests,
      async search(_indices: string, body: Record<string, unknown>) {
        const aggs = (body.aggs ?? {}) as Record<string, { terms?: { shard_size?: number }; composite?: unknown; aggs?: Record<string, never> }>;
        const query = (body.query as { bool: { filter: Array<Record<string, Record<string, string[]>>>; must_not: unknown[] } }).bool;
        if (aggs.reasons) {
          requests.push('unplaceable');
          return { _shards: shards, hits: { total: { value: 0, relation: 'eq' }, hits: [] }, aggregations: { reasons: { buckets: {} } } };
        }
        if (body.terminate_after) {
          requests.push('outside probe');
          return { _shards: shards, hits: { total: { value: spans.some((s) => !inWindow(s)) ? 1 : 0, relation: 'eq' }, hits: [] } };
        }
        if (body.sort) {
          requests.push('longest spans');
          const longest = (s: Span) => (options.longest?.[s.traceId] ?? s.durationMs) * 1000;
          const hits = spans.filter(matches).sort((a, b) => longest(b) - longest(a)).slice(0, body.size as number);
          return { _shards: shards, hits: { hits: hits.map((s, i) => ({ _index: 'i', _id: String(i), sort: [longest(s), s.traceId] })) } };
        }
        if (aggs.traces.composite) {
          requests.push('matching ids');
          // Pages in trace id order, as the engine's composite aggregation does.
          const { size, after } = aggs.traces.composite as { size: number; after?: { trace: string } };
          const ids = [...new Set(spans.filter(matches).map((s) => s.traceId))].sort().filter((id) => !after || id > after.trace);
          const page = ids.slice(0, size).map((trace) => ({ key: { trace } }));
          return { _shards: shards, aggregations: { traces: { buckets: page, ...(page.length > 0 ? { after_key: page[page.length - 1].key } : {}) } } };
        }
        const sub = aggs.traces.aggs ?? {};
        if (sub.keep && options.refuseSelector) {
          requests.push('refused selector');
          throw engineErrorFromResponse(400, { error: { root_cause: [{ type: 'parsing_exception', reason: 'Unknown aggregation type [bucket_selector]' }], type: 'parsing_exception', reason: 'Unknown aggregation type [bucket_selector]' }, status: 400 }, 'the engine');
        }
        if (aggs.traces.terms?.shard_size) {
          requests.push('window bounds');
          return { _shards: shards, aggregations: { traces: { sum_other_doc_count: 0, buckets: kept(spans.filter(inWindow), sub.keep) } } };
        }
        const ids = query.filter[0].terms.traceID;
        const asked = new Set(ids);
        const outsideOnly = query.must_not.some((clause) => 'range' in (clause as object));
        const selected = spans.filter((s) => asked.has(s.traceId) && (!outsideOnly || !inWindow(s)));
        if ('longest_0' in sub) {
          requests.push(outsideOnly ? 'outside bounds' : 'bounds');
          return { _shards: shards, aggregations: { traces: { buckets: kept(selected, sub.keep) } } };
        }
        if (!('errors' in sub)) {
          measured.push([...ids].sort());
          requests.push('exact');
        } else {
          requests.push('summaries');
        }
        const timing = (own: Span[]) => ({ start: { value: Math.min(...own.map(startUs)) }, end: { value: Math.max(...own.map((s) => FROM_MS + s.startMs + s.durationMs)) }, errors: { doc_count: 0 } });
        return { _shards: shards, aggregations: { traces: { buckets: byTrace(selected, timing) } } };
      },
    };
  }

  /** The slowest traces as ranking every matching trace whole gives them: longest first, ties by trace id. */
  function truth(spans: Span[], limit: number, matching?: string[]): string[] {
    const ids = [...new Set(spans.filter((s) => inWindow(s) && (!matching || matching.includes(s.traceId))).map((s) => s.traceId))];
    const duration = (id: string) => {
      const own = spans.filter((s) => s.traceId === id);
      return Math.max(...own.map((s) => s.startMs + s.durationMs)) - Math.min(...own.map((s) => s.startMs));
    };
    return ids.sort((a, b) => duration(b) - duration(a) || (a < b ? -1 : 1)).slice(0, limit);
  }

  async function search(spans: Span[], limit: number, options: SearchFixture = {}, fake = engine(spans, options)) {
    // The fake applies `matching` itself; a service filter makes the search a filtered one.
    const input = options.matching ? { service: 'checkout' } : {};
    const result = await searchTraces(fake as never, { resolution: { pattern: 'p', groups: [jaeger], unknown: [] }, window, request: parseSearchInput({ ...input, sort: 'slowest', limit }) });
    const ids = result.traces.map((trace) => trace.traceId);
    expect(ids).toEqual(truth(spans, limit, options.matching));
    return { ids, measured: fake.measured, requests: fake.requests };
  }

  // a1 lasts 100 ms; a2's root lasts 90 ms and a child starts late, so its bound (170) is loose; a4's
  // asynchronous child outlives its root (100 ms whole); a6 has a span of negative duration, which
  // makes its likely duration (150) exceed its true one (50); the b traces last 10 ms.
  const spans = [
    span('a1', 1_000, 100),
    span('a2', 2_000, 90),
    span('a2', 2_080, 5),
    span('a3', 3_000, 95),
    span('a4', 4_000, 50),
    span('a4', 4_060, 40),
    span('a6', 6_000, 10),
    span('a6', 6_150, -100),
    ...Array.from({ length: 6 }, (_, i) => span(`b${i}`, 10_000 + i * 1_000, 10)),
  ];

  it('bounds the traces of the window that can reach the longest spans, and measures exactly only those that can reach the limit-th duration', async () => {
    const result = await search(spans, 2);
    expect(result.ids).toEqual(['a1', 'a4']);
    // The floor is a3's 95 ms (the second trace among the longest spans): the b traces are not even bounded.
    // a3 (95 ms at most) cannot reach a1's likely 100 ms: never measured.
    expect(result.measured).toEqual([['a1', 'a2', 'a4', 'a6']]);
    expect(result.requests).toEqual(['unplaceable', 'outside probe', 'longest spans', 'window bounds', 'exact', 'summaries']);
  });

  it('measures more traces when the first exact figures fall below the likely durations it aimed at', async () => {
    const result = await search(spans, 1);
    // Aimed at a6's likely 150 ms: a2 and a6 first; their exact 90 ms lets a1 and a4 through.
    expect(result.measured).toEqual([['a2', 'a6'], ['a1', 'a4']]);
  });

  it('measures a trace crossing the window edge whole, from its spans outside the window found by trace id', async () => {
    // c1 lasts 5.11 s whole, 10 ms in the window; 0ld lies wholly before the window and does not match.
    const crossing = [...spans.filter((s) => s.traceId !== 'a6'), span('c1', -5_000, 20), span('c1', 100, 10), span('0ld', -9_000, 4_000)];
    const result = await search(crossing, 2);
    expect(result.ids).toEqual(['c1', 'a1']);
    expect(result.requests).toEqual(['unplaceable', 'outside probe', 'longest spans', 'window bounds', 'outside bounds', 'exact', 'summaries']);
  });

  it('with filters, bounds the matching traces by trace id over all their spans', async () => {
    const result = await search(spans, 2, { matching: ['a2', 'a3', 'a4', 'b0'] });
    expect(result.ids).toEqual(['a4', 'a3']);
    expect(result.requests).toEqual(['unplaceable', 'matching ids', 'longest spans', 'bounds', 'exact', 'summaries']);
  });

  it('ranks every match instead when the limit-th duration falls below the floor the longest spans gave', async () => {
    // a3's duration sorts as 400 ms (as a multi-valued field would): a floor no trace reaches.
    const result = await search(spans, 1, { longest: { a3: 400 } });
    expect(result.ids).toEqual(['a1']);
    expect(result.requests.slice(3)).toEqual(['window bounds', 'matching ids', 'exact', 'summaries']);
  });

  it('asks for the bounds again without the floor where the engine refuses the bucket_selector, and not with it again', async () => {
    const fake = engine(spans, { refuseSelector: true });
    const first = await search(spans, 2, {}, fake);
    expect(first.ids).toEqual(['a1', 'a4']);
    expect(first.requests).toEqual(['unplaceable', 'outside probe', 'longest spans', 'refused selector', 'window bounds', 'exact', 'summaries']);
    fake.requests.length = 0;
    const filtered = await search(spans, 2, { matching: ['a2', 'a3', 'a4', 'b0'] }, engine(spans, { matching: ['a2', 'a3', 'a4', 'b0'], refuseSelector: true }));
    expect(filtered.requests).toEqual(['unplaceable', 'matching ids', 'longest spans', 'refused selector', 'bounds', 'exact', 'summaries']);
    await search(spans, 2, {}, fake);
    expect(fake.requests).not.toContain('refused selector');
  });

  it('tells how a long ranking is getting on: traces found, then the top of those ranked so far, never after the last request', async () => {
    // 45,000 short traces page in five composite pages and rank in three chunks once the floor (a3 sorting as 400 ms) fails.
    const many = [...spans, ...Array.from({ length: 45_000 }, (_, i) => span(`c${String(i).padStart(5, '0')}`, 20_000 + (i % 3_000_000), 10))];
    const fake = engine(many, { longest: { a3: 400 } });
    const progress: Array<{ stage: string; traces: Array<Record<string, unknown>> }> = [];
    const result = await searchTraces(fake as never, {
      resolution: { pattern: 'p', groups: [jaeger], unknown: [] },
      window,
      request: parseSearchInput({ sort: 'slowest', limit: 1 }),
      onProgress: (p) => progress.push({ stage: p.stage, traces: p.traces() as never }),
    });
    expect(result.traces.map((trace) => trace.traceId)).toEqual(['a1']);
    expect(progress.map((p) => p.stage)).toEqual([
      ...[10_000, 20_000, 30_000, 40_000].map((n) => `found ${n.toLocaleString('en-US')} matching traces so far; they are ranked once all are found`),
      'ranked 20,000 of 45,011 matching traces; shown: the slowest of those so far, without their root span, errors or services; the rest is loading',
      'ranked 40,000 of 45,011 matching traces; shown: the slowest of those so far, without their root span, errors or services; the rest is loading',
    ]);
    expect(progress.slice(0, 4).every((p) => p.traces.length === 0)).toBe(true);
    // The first 20,000 ids in order hold every a trace: already the answer, with exact figures only.
    expect(progress[4].traces).toEqual([{ traceId: 'a1', startMs: FROM_MS + 1_000, durationMs: 100, spans: 1 }]);
  });

  it('keeps the answer from the bounds when the floor exceeds the limit-th duration by rounding only', async () => {
    const result = await search(spans, 1, { longest: { a1: 100.0004 } });
    expect(result.requests).not.toContain('matching ids');
  });
});
