import { resolveSchemas } from '../../../src/proto/detect';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import { DATA_PREPPER_SPAN_MAPPING } from '../../../src/proto/dataPrepper';
import { FilterError } from '../../../src/query/filters';
import { buildLatestTracesRequest, buildMatchingTracesRequest, buildTraceAggregationRequest, parseSearchInput, searchTraces } from '../../../src/query/search';
import { attributeClause, endSource, rootClause, spanFilterClauses, startSource, statusClause } from '../../../src/query/searchClauses';

const keyword = { type: 'keyword' };
const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };

/** otel documents as OpenSearch maps them dynamically: text with keyword sub-fields, typed attributes. */
const otelDynamic = resolveSchemas('traces*', {
  traces: {
    mappings: {
      properties: {
        '@timestamp': text,
        trace_id: text,
        span_id: text,
        parent_span_id: text,
        name: text,
        kind: text,
        duration: { type: 'long' },
        status: { properties: { code: text } },
        attributes: { properties: { http: { properties: { response: { properties: { status_code: { type: 'long' } } } } }, app: { properties: { vip: { type: 'boolean' }, note: text, blob: { type: 'text' } } } } },
        resource: { properties: { attributes: { properties: { service: { properties: { name: text } } } } } },
      },
    },
  },
}).groups[0];
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
