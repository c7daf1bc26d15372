import { resolveSchemas } from '../../../src/proto/detect';
import { APM_MAPPING } from '../../../src/proto/elasticApm';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import { buildMetricsRequest, checkStepMs, defaultStepMs, panelStepMs, parseGroupBy, parseKinds, readMetricsResponse } from '../../../src/query/metrics';
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
    expect(body.aggs.time.aggs).toMatchObject({
      by_0: { terms: { field: 'operationName', size: 100 }, aggs: { duration: { percentiles: { field: 'duration', percents: [50, 90, 99] } } } },
      // Spans without a name are a group of their own, never dropped.
      none: { filter: { bool: { must_not: [{ exists: { field: 'operationName' } }] } }, aggs: { duration: { percentiles: { field: 'duration', percents: [50, 90, 99] } } } },
    });
    expect(JSON.stringify(body)).toContain(JSON.stringify({ term: { 'process.serviceName': 'db' } }));
  });

  it('reads buckets back in epoch ms and milliseconds, a zero count where a group had no span', () => {
    const answer = {
      aggregations: {
        time: {
          buckets: [
            { key: 1_796_299_980_000_000, doc_count: 2, by_0: { buckets: [{ key: 'work', doc_count: 2, errors: { doc_count: 1 }, duration: { values: { '50.0': 5000, '90.0': 5000, '99.0': 7000 } } }] }, none: { doc_count: 0 } },
            { key: 1_796_300_040_000_000, doc_count: 0, by_0: { buckets: [] }, none: { doc_count: 0 } },
          ],
        },
      },
    };
    const read = readMetricsResponse(answer, built as never);
    expect(read.times).toEqual([1_796_299_980_000, 1_796_300_040_000]);
    expect(read.series.get('work')).toEqual([{ time: 1_796_299_980_000, requests: 2, errors: 1, p50Ms: 5, p90Ms: 5, p99Ms: 7 }]);
    expect(read.warnings).toEqual([]);
  });

  it('groups APM spans by span name and transactions (which have none) by transaction name, so neither lands in (none)', () => {
    const apm = resolveSchemas('traces-apm*', { 'traces-apm-default': { mappings: APM_MAPPING } }).groups[0];
    const grouped = buildMetricsRequest(apm, { window, stepMs: 60_000, filters: parseSearchInput({}).filters, groupBy: 'operation' }) as unknown as { body: { aggs: { time: { aggs: Record<string, unknown> } } }; warnings: string[] };
    const { by_0, by_1, none } = grouped.body.aggs.time.aggs as Record<string, Record<string, unknown>>;
    expect(by_0.terms).toEqual({ field: 'span.name', size: 100 });
    expect(by_1.filter).toEqual({ bool: { must_not: [{ exists: { field: 'span.name' } }] } });
    expect((by_1.aggs as { values: { terms: unknown } }).values.terms).toEqual({ field: 'transaction.name', size: 100 });
    expect(none.filter).toEqual({ bool: { must_not: [{ exists: { field: 'span.name' } }, { exists: { field: 'transaction.name' } }] } });
    expect(grouped.warnings).toEqual([]);
  });

  it('skips, naming why, a group with no stored duration to take percentiles of', () => {
    const noDuration = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: { ...JAEGER_SPAN_MAPPING, properties: { ...(JAEGER_SPAN_MAPPING.properties as object), duration: { type: 'keyword' } } } } }).groups[0];
    expect(buildMetricsRequest(noDuration, { window, stepMs: 60_000, filters: parseSearchInput({}).filters })).toEqual({ skipped: 'skipped jaeger-span-2026-11-20: no stored duration field to compute percentiles from' });
  });
});

describe('what a metrics query asks for', () => {
  it('groups by service, operation, or any other text as an attribute key (attribute:KEY where the key is service or operation)', () => {
    expect(['', undefined, 'service', 'operation', 'http.route', 'attribute:service', ' attribute: app.tier '].map(parseGroupBy)).toEqual([undefined, undefined, 'service', 'operation', 'attribute:http.route', 'attribute:service', 'attribute:app.tier']);
    expect(() => parseGroupBy('attribute:')).toThrow("group by 'attribute:' names no attribute: give service, operation or an attribute key");
  });

  it('takes one span kind or several, and names one it does not know', () => {
    expect([undefined, '', 'server', 'server, client', ['client', 'client']].map(parseKinds)).toEqual([undefined, undefined, 'server', ['server', 'client'], 'client']);
    expect(() => parseKinds('SERVER')).toThrow("span kind 'SERVER' is not one of server, client, producer, consumer, internal");
  });

  it('steps a panel by its interval in whole milliseconds, at least a second, widened to whole seconds past 2,000 intervals', () => {
    expect([panelStepMs(3_600_000, 15_000.4), panelStepMs(1_800_000, 20), panelStepMs(1_800_000, undefined), panelStepMs(86_400_000, 1000)]).toEqual([15_000, 1000, 1000, 44_000]);
  });

  it('takes a typed step only where the range holds at most 2,000 of them, and defaults to about 60 whole seconds', () => {
    expect(checkStepMs(1_800_000, 1000, '--step 1s')).toBe(1000);
    expect(() => checkStepMs(3_600_000, 0.001, '--step 1us')).toThrow('--step 1us is shorter than a millisecond');
    expect(() => checkStepMs(86_400_000, 1000, '--step 1s')).toThrow('--step 1s makes 86400 intervals; at most 2000 are allowed: take a longer step or a shorter range');
    expect([defaultStepMs(3_600_000), defaultStepMs(1000)]).toEqual([60_000, 1000]);
  });
});
