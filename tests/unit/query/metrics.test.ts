import { resolveSchemas } from '../../../src/proto/detect';
import { APM_MAPPING } from '../../../src/proto/elasticApm';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import { buildMetricsRequest, readMetricsResponse } from '../../../src/query/metrics';
import { parseSearchInput } from '../../../src/query/search';

const jaeger = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: JAEGER_SPAN_MAPPING } }).groups[0];
const NS_PER_MS = BigInt(1_000_000);
const window = { fromNs: BigInt(1_796_299_980_000) * NS_PER_MS, toNs: BigInt(1_796_300_160_000) * NS_PER_MS };

describe('span metrics request', () => {
  const built = buildMetricsRequest(jaeger, { window, stepMs: 60_000, filters: parseSearchInput({ service: 'db' }).filters, groupBy: 'operation' });

  it('is one aggregation: the start in its stored unit by interval, each split by operation with errors and duration percentiles', () => {
    expect('body' in built).toBe(true);
    const { body } = built as unknown as { body: { aggs: { time: Record<string, unknown> } } };
    // Jaeger keeps the start in microseconds: the step and bounds are in microseconds too.
    expect(body.aggs.time.histogram).toEqual({ field: 'startTime', interval: 60_000_000, min_doc_count: 0, extended_bounds: { min: 1_796_299_980_000_000, max: 1_796_300_160_000_000 } });
    expect(body.aggs.time.aggs).toMatchObject({ groups: { terms: { field: 'operationName', size: 100, missing: '(none)' }, aggs: { duration: { percentiles: { field: 'duration', percents: [50, 90, 99] } } } } });
    expect(JSON.stringify(body)).toContain(JSON.stringify({ term: { 'process.serviceName': 'db' } }));
  });

  it('reads buckets back in epoch ms and milliseconds, a zero count where a group had no span', () => {
    const answer = {
      aggregations: {
        time: {
          buckets: [
            { key: 1_796_299_980_000_000, doc_count: 2, groups: { buckets: [{ key: 'work', doc_count: 2, errors: { doc_count: 1 }, duration: { values: { '50.0': 5000, '90.0': 5000, '99.0': 7000 } } }] } },
            { key: 1_796_300_040_000_000, doc_count: 0, groups: { buckets: [] } },
          ],
        },
      },
    };
    const read = readMetricsResponse(answer, built as never);
    expect(read.times).toEqual([1_796_299_980_000, 1_796_300_040_000]);
    expect(read.series.get('work')).toEqual([{ time: 1_796_299_980_000, requests: 2, errors: 1, p50Ms: 5, p90Ms: 5, p99Ms: 7 }]);
    expect(read.warnings).toEqual([]);
  });

  it('counts spans named in a second field (APM transactions) under a group that says so, and warns', () => {
    const apm = resolveSchemas('traces-apm*', { 'traces-apm-default': { mappings: APM_MAPPING } }).groups[0];
    const grouped = buildMetricsRequest(apm, { window, stepMs: 60_000, filters: parseSearchInput({}).filters, groupBy: 'operation' }) as unknown as { body: { aggs: { time: { aggs: { groups: { terms: unknown } } } } }; warnings: string[] };
    expect(grouped.body.aggs.time.aggs.groups.terms).toEqual({ field: 'span.name', size: 100, missing: '(none)' });
    expect(grouped.warnings).toContain("traces-apm-default: grouped by 'span.name'; spans with the operation in 'transaction.name' are counted under '(none)'");
  });

  it('skips, naming why, a group with no stored duration to take percentiles of', () => {
    const noDuration = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: { ...JAEGER_SPAN_MAPPING, properties: { ...(JAEGER_SPAN_MAPPING.properties as object), duration: { type: 'keyword' } } } } }).groups[0];
    expect(buildMetricsRequest(noDuration, { window, stepMs: 60_000, filters: parseSearchInput({}).filters })).toEqual({ skipped: 'skipped jaeger-span-2026-11-20: no stored duration field to compute percentiles from' });
  });
});
