import fs from 'node:fs';
import path from 'node:path';

import { resolveSchemas } from '../../../src/proto/detect';
import { APM_MAPPING } from '../../../src/proto/elasticApm';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import { ZIPKIN_SPAN_MAPPING } from '../../../src/proto/zipkin';
import { buildMetricsRequest, buildOperationTableRequest, readMetricsResponse, readOperationTable } from '../../../src/query/metrics';
import { parseSearchInput } from '../../../src/query/search';
import type { SpanFilters } from '../../../src/query/searchClauses';
import { OTEL_CORE_PROPERTIES } from '../referenceSpan';

/**
 * Every new request shape of span metrics is pinned as a JSON file whose name says what it shows
 * (UPDATE_GOLDEN=1 rewrites them); the tests beside them state the behaviour each shape is for.
 */
const GOLDEN = path.join(__dirname, '../../fixtures/requests');
const NS_PER_MS = BigInt(1_000_000);
const window = { fromNs: BigInt(1_796_299_980_000) * NS_PER_MS, toNs: BigInt(1_796_300_160_000) * NS_PER_MS };
const keyword = { type: 'keyword' };
const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
const filters = (input: Parameters<typeof parseSearchInput>[0] = {}, kind?: SpanFilters['kind']): SpanFilters => ({ ...parseSearchInput(input).filters, kind });

/** The otel exporter's documents mapped dynamically: string attributes as text with a keyword, numbers as long. */
const otel = resolveSchemas('traces*', {
  traces: {
    mappings: {
      properties: {
        ...OTEL_CORE_PROPERTIES,
        attributes: { properties: { 'app.tier': text, 'http.response.status_code': { type: 'long' }, 'app.note': { type: 'text' } } },
        resource: { properties: { attributes: { properties: { 'service.name': keyword, 'app.tier': text } } } },
      },
    },
  },
}).groups[0];
const jaeger = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: JAEGER_SPAN_MAPPING } }).groups[0];
// Zipkin's template leaves `timestamp` (µs) to dynamic mapping: a long.
const zipkin = resolveSchemas('zipkin*', { 'zipkin-span-2026-11-20': { mappings: { ...ZIPKIN_SPAN_MAPPING, properties: { ...(ZIPKIN_SPAN_MAPPING.properties as object), timestamp: { type: 'long' } } } } }).groups[0];
const apm = resolveSchemas('traces-apm*', {
  'traces-apm-default': { mappings: { ...APM_MAPPING, properties: { ...(APM_MAPPING.properties as object), labels: { properties: { app_tier: keyword } }, numeric_labels: { properties: { app_tier: { type: 'scaled_float', scaling_factor: 1000 } } } } } },
}).groups[0];

type Built = Exclude<ReturnType<typeof buildMetricsRequest>, { skipped: string }>;
type Aggs = Record<string, Record<string, unknown>>;

function built(group: typeof otel, options: { groupBy?: Parameters<typeof buildMetricsRequest>[1]['groupBy']; filters?: SpanFilters } = {}): Built {
  const result = buildMetricsRequest(group, { window, stepMs: 60_000, filters: options.filters ?? filters(), groupBy: options.groupBy });
  if ('skipped' in result) {
    throw new Error(result.skipped);
  }
  return result;
}

const timeAggs = (request: Built) => (request.body as { aggs: { time: { aggs: Aggs } } }).aggs.time.aggs;

function golden(name: string, body: unknown): void {
  const file = path.join(GOLDEN, `${name}.json`);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  }
  expect(body).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** A time bucket of an answer, with measures for a group. */
const measures = (count: number, errors: number, p50: number) => ({ doc_count: count, errors: { doc_count: errors }, duration: { values: { '50.0': p50, '90.0': p50, '99.0': p50 } } });

describe('span metrics grouped by an attribute', () => {
  it('a span attribute is read first, then the resource attribute of that key for spans without it, then the rest are (none)', () => {
    const request = built(otel, { groupBy: 'attribute:app.tier' });
    golden('spans_grouped_by_an_attribute_read_the_span_attribute_then_the_resource_attribute_then_count_the_rest_as_none', request.body);
    expect(request.warnings).toEqual([]);
  });

  it('groups by a numeric attribute on the field itself', () => {
    expect(timeAggs(built(otel, { groupBy: 'attribute:http.response.status_code' })).by_0.terms).toEqual({ field: 'attributes.http.response.status_code', size: 100 });
  });

  it("asks for fewer groups per interval on long series, so the answer stays under the engines' 65,535 buckets", () => {
    const day = { fromNs: window.fromNs, toNs: window.fromNs + BigInt(86_400_000) * NS_PER_MS };
    const request = buildMetricsRequest(otel, { window: day, stepMs: 60_000, filters: filters(), groupBy: 'service' }) as Built;
    // 1,440 intervals (and the two an unaligned range may touch): 50,000 / 1,442 groups each.
    expect(timeAggs(request).by_0.terms).toEqual({ field: 'resource.attributes.service.name', size: 34 });
    const answer = { aggregations: { time: { buckets: [{ key: 1_796_299_980_000, doc_count: 40, by_0: { sum_other_doc_count: 6, buckets: [{ key: 'checkout', ...measures(34, 0, 1) }] }, none: { doc_count: 0 } }] } } };
    expect(readMetricsResponse(answer, request).warnings).toEqual(['more than 34 groups in an interval: only the 34 largest are shown']);
  });

  it('names an attribute mapped as text without a keyword, whose spans can only be counted under (none)', () => {
    const request = built(otel, { groupBy: 'attribute:app.note' });
    expect(Object.keys(timeAggs(request))).toEqual(['none']);
    expect(request.warnings).toEqual(["traces: 'attributes.app.note' is mapped as text, which cannot be grouped by: spans with 'app.note' there are counted under '(none)'"]);
  });

  it('says so when no index maps the attribute: every span is (none)', () => {
    const request = built(otel, { groupBy: 'attribute:no.such.key' });
    expect(timeAggs(request).none.filter).toEqual({ bool: { must_not: [] } });
    expect(request.warnings).toEqual(["traces: no span or resource attribute 'no.such.key' is mapped, so every span is counted under '(none)'"]);
  });

  it('reads Elastic APM labels under the key as APM encodes it, keyword labels before numeric ones', () => {
    const aggs = timeAggs(built(apm, { groupBy: 'attribute:app.tier' }));
    expect(aggs.by_0.terms).toEqual({ field: 'labels.app_tier', size: 100 });
    expect((aggs.by_1.aggs as Aggs).values.terms).toEqual({ field: 'numeric_labels.app_tier', size: 100 });
  });

  it('reads a Jaeger tag from the nested span tags back at their spans, then from the process tags', () => {
    const request = built(jaeger, { groupBy: 'attribute:app.tier' });
    golden('a_jaeger_tag_is_grouped_from_the_nested_span_tags_back_at_their_spans_then_from_the_process_tags', request.body);
    expect(request.warnings).toEqual([]);
  });

  it('reads a Jaeger tag kept as a field (tags-as-fields) before the nested tags', () => {
    const asFields = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: { ...JAEGER_SPAN_MAPPING, properties: { ...(JAEGER_SPAN_MAPPING.properties as object), tag: { properties: { 'app@tier': keyword } } } } } }).groups[0];
    const aggs = timeAggs(built(asFields, { groupBy: 'attribute:app.tier' }));
    expect(aggs.by_0.terms).toEqual({ field: 'tag.app@tier', size: 100 });
    expect(Object.keys(aggs)).toEqual(['by_0', 'by_1', 'by_2', 'none']);
    expect((aggs.by_1.aggs as Aggs).values.nested).toEqual({ path: 'tags' });
  });

  it("reads a Zipkin tag from the '_q' terms that begin with its key, the key escaped as a regex, and says which tags Zipkin does not index", () => {
    const request = built(zipkin, { groupBy: 'attribute:http.route' });
    golden('a_zipkin_tag_is_grouped_from_the_q_terms_that_begin_with_its_key_escaped_as_a_regex', request.body);
    expect(request.warnings).toEqual(["zipkin-span-2026-11-20: Zipkin indexes a tag only where 'http.route=value' is at most 256 characters long: spans with a longer 'http.route' are counted under '(none)'"]);
    expect(timeAggs(built(zipkin, { groupBy: 'attribute:a+b(c)' })).by_0.terms).toMatchObject({ include: 'a\\+b\\(c\\)=.*' });
  });
});

describe('reading grouped answers', () => {
  it('strips the key from Zipkin values and counts spans without the tag as (none)', () => {
    const request = built(zipkin, { groupBy: 'attribute:app.tier' });
    const answer = { aggregations: { time: { buckets: [{ key: 1_796_299_980_000_000, doc_count: 5, by_0: { buckets: [{ key: 'app.tier=gold', ...measures(3, 1, 2000) }] }, none: measures(2, 0, 4000) }] } } };
    const read = readMetricsResponse(answer, request);
    expect([...read.series.keys()]).toEqual(['gold', '(none)']);
    expect(read.series.get('gold')).toEqual([{ time: 1_796_299_980_000, requests: 3, errors: 1, p50Ms: 2, p90Ms: 2, p99Ms: 2 }]);
    expect(read.series.get('(none)')?.[0].requests).toBe(2);
  });

  it('adds up a value found in both the span and the process tags, and says whose percentiles stand', () => {
    const request = built(jaeger, { groupBy: 'attribute:app.tier' });
    const spans = (count: number, p50: number) => ({ key: 'gold', doc_count: count, spans: measures(count, 0, p50) });
    const bucket = { key: 1_796_299_980_000_000, doc_count: 5, by_0: { doc_count: 9, key: { doc_count: 3, values: { buckets: [spans(3, 1000)] } } }, by_1: { doc_count: 2, values: { key: { doc_count: 2, values: { buckets: [spans(2, 9000)] } } } }, none: { doc_count: 0 } };
    const read = readMetricsResponse({ aggregations: { time: { buckets: [bucket] } } }, request);
    expect(read.series.get('gold')).toEqual([{ time: 1_796_299_980_000, requests: 5, errors: 0, p50Ms: 1, p90Ms: 1, p99Ms: 1 }]);
    expect(read.warnings).toEqual(["jaeger-span-2026-11-20: 'gold' is found in more than one of the nested 'tags', the nested 'process.tags': its percentiles are those of the part with more spans in each interval"]);
  });

  it('names booleans true and false, and warns when spans with several values are counted more than once or groups were cut', () => {
    const request = built(otel, { groupBy: 'attribute:http.response.status_code' });
    const bucket = { key: 1_796_299_980_000, doc_count: 2, by_0: { sum_other_doc_count: 4, buckets: [{ key: 1, key_as_string: 'true', ...measures(2, 0, 1) }, { key: 500, ...measures(1, 1, 1) }] }, by_1: { doc_count: 0 }, none: { doc_count: 0 } };
    const read = readMetricsResponse({ aggregations: { time: { buckets: [bucket] } } }, request);
    expect([...read.series.keys()]).toEqual(['true', '500']);
    expect(read.warnings).toEqual(['more than 100 groups in an interval: only the 100 largest are shown', "traces: some spans have several values in 'attributes.http.response.status_code' and are counted under each"]);
  });
});

describe('span kind', () => {
  it('keeps only server spans, in every spelling producers give the kind', () => {
    golden('server_spans_are_counted_in_every_spelling_of_their_kind', built(otel, { filters: filters({}, 'server') }).body);
  });

  it('skips, naming why, an index whose layout keeps no kind', () => {
    const noKind = resolveSchemas('t*', { t: { mappings: { properties: { '@timestamp': { type: 'date_nanos' }, trace_id: keyword, span_id: keyword, name: keyword, duration: { type: 'long' } } } } }, 'custom', { traceId: 'trace_id', spanId: 'span_id', start: '@timestamp', name: 'name', duration: 'duration' }).groups[0];
    expect(buildMetricsRequest(noKind, { window, stepMs: 60_000, filters: filters({}, 'client') })).toEqual({ skipped: 'skipped t: the custom layout keeps no span kind, so the kind filter cannot apply to it' });
  });
});

describe('operations table', () => {
  const table = buildOperationTableRequest(apm, { window, filters: filters({ service: 'checkout' }) });
  if ('skipped' in table) {
    throw new Error(table.skipped);
  }

  it('splits spans by service, then by span name or (for transactions) transaction name, with errors and p50, p95, p99 over the whole range', () => {
    golden('the_operations_table_splits_spans_by_service_then_by_span_or_transaction_name_over_the_whole_range', table.body);
  });

  it('reads one row per service and operation, durations in ms from the field that times its spans', () => {
    // APM times transactions (duration_0) and spans (duration_1) in fields of their own.
    const timed = (field: 'duration_0' | 'duration_1', count: number, p: number[]) => ({ [field]: { doc_count: count, duration: { values: { '50.0': p[0], '95.0': p[1], '99.0': p[2] } } } });
    const op = (key: string, count: number, errors: number, durations: object) => ({ key, doc_count: count, errors: { doc_count: errors }, ...durations });
    const service = {
      key: 'checkout',
      doc_count: 7,
      by_0: { buckets: [op('SELECT', 4, 0, { ...timed('duration_1', 4, [1000, 2000, 3000]), ...timed('duration_0', 0, []) })] },
      by_1: { doc_count: 3, values: { buckets: [op('GET /cart', 3, 1, { ...timed('duration_0', 3, [5000, 6000, 7000]), ...timed('duration_1', 0, []) })] } },
      none: { doc_count: 0 },
    };
    const read = readOperationTable({ aggregations: { by_0: { buckets: [service] }, none: { doc_count: 0 } } }, table);
    expect(read.rows).toEqual([
      { service: 'checkout', operation: 'SELECT', requests: 4, errors: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 },
      { service: 'checkout', operation: 'GET /cart', requests: 3, errors: 1, p50Ms: 5, p95Ms: 6, p99Ms: 7 },
    ]);
    expect(read.warnings).toEqual([]);
  });
});
