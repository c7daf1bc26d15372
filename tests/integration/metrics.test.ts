/**
 * Span metrics against the truth computed here from the source spans: per interval and service,
 * the span count and error count exactly, and duration percentiles between the interval's
 * shortest and longest span, in order (the engine's TDigest interpolates; where every span of an
 * interval lasts the same, the percentiles are that duration). Jaeger stores the start as a number
 * (no script); otel as "ms.ns" text (a script, so only where painless runs).
 */
import { resolvePattern } from '../../src/query/resolve';
import { spanMetrics } from '../../src/query/metrics';
import { parseSearchInput } from '../../src/query/search';
import { itWhere, searchNeeds, testEngines } from './engines';
import { nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const NS_PER_MS = BigInt(1_000_000);
// A whole minute: intervals start at multiples of the step, as Grafana's date histograms do.
const BASE_MS = 1_796_299_980_000;
const STEP_MS = 60_000;
const SERVICES = ['api', 'db'];
const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

interface SourceSpan {
  service: string;
  startMs: number;
  durationMs: number;
  error: boolean;
}

/** Three intervals; api spans of varying length, db spans all 5 ms; every seventh span an error. */
const source: SourceSpan[] = [];
for (let i = 0; i < 90; i++) {
  const service = SERVICES[i % 2];
  source.push({ service, startMs: BASE_MS + Math.floor(i / 30) * STEP_MS + (i % 30) * 1000, durationMs: service === 'db' ? 5 : 10 + (i % 13), error: i % 7 === 0 });
}
const request = {
  resourceSpans: SERVICES.map((service) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [
      {
        scope: { name: 'test' },
        spans: source
          .map((span, i) => ({ span, i }))
          .filter(({ span }) => span.service === service)
          .map(({ span, i }) => ({
            traceId: hex(0xe0000 + i, 32),
            spanId: hex(i + 1, 16),
            name: 'work',
            kind: 2,
            startTimeUnixNano: String(BigInt(span.startMs) * NS_PER_MS),
            endTimeUnixNano: String(BigInt(span.startMs + span.durationMs) * NS_PER_MS),
            status: { code: span.error ? 2 : 0 },
          })),
      },
    ],
  })),
};
const file = writeTempJson('metrics-spans.json', request);
const window = { fromNs: BigInt(BASE_MS) * NS_PER_MS, toNs: BigInt(BASE_MS + 3 * STEP_MS - 1) * NS_PER_MS };

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  const client = nodeClient(engine.url);
  for (const schema of ['jaeger', 'otel']) {
    const index = uniqueIndex(`metrics-${schema}`);
    const check = schema === 'otel' ? itWhere(engine, searchNeeds('otel')) : it;
    check(`counts spans and errors per interval and service exactly, with percentiles within each interval's durations (${schema})`, async () => {
      const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, file]);
      expect(ingested.code).toBe(0);
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      const result = await spanMetrics(client, { resolution, window, stepMs: STEP_MS, filters: parseSearchInput({}).filters, groupBy: 'service' });
      expect(result.warnings).toEqual([]);
      expect(result.series.map((series) => series.group)).toEqual(SERVICES);
      for (const series of result.series) {
        expect(series.buckets.map((bucket) => bucket.time)).toEqual([0, 1, 2].map((step) => BASE_MS + step * STEP_MS));
        for (const bucket of series.buckets) {
          const spans = source.filter((span) => span.service === series.group && span.startMs >= bucket.time && span.startMs < bucket.time + STEP_MS);
          expect({ requests: bucket.requests, errors: bucket.errors }).toEqual({ requests: spans.length, errors: spans.filter((span) => span.error).length });
          const durations = spans.map((span) => span.durationMs);
          const [p50, p90, p99] = [bucket.p50Ms!, bucket.p90Ms!, bucket.p99Ms!];
          expect(p50).toBeGreaterThanOrEqual(Math.min(...durations) - 1e-6);
          expect(p99).toBeLessThanOrEqual(Math.max(...durations) + 1e-6);
          expect(p50).toBeLessThanOrEqual(p90);
          expect(p90).toBeLessThanOrEqual(p99);
          if (new Set(durations).size === 1) {
            expect([p50, p90, p99]).toEqual([durations[0], durations[0], durations[0]].map((value) => expect.closeTo(value, 6)));
          }
        }
      }
    });
  }

  it('prints the series on the command line for one service, by operation', async () => {
    const index = uniqueIndex('metrics-cli');
    expect((await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'jaeger', file])).code).toBe(0);
    const run = await runCli(['metrics', '--url', engine.url, '--index', `${index}*`, '--service', 'db', '--group-by', 'operation', '--from', String(BASE_MS), '--to', String(BASE_MS + 3 * STEP_MS - 1), '--step', '1m']);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as { series: Array<{ group: string; buckets: Array<{ requests: number; p50Ms: number }> }>; warnings: string[] };
    expect(printed.series.map((series) => series.group)).toEqual(['work']);
    expect(printed.series[0].buckets.map((bucket) => bucket.requests)).toEqual([15, 15, 15]);
    expect(printed.series[0].buckets.map((bucket) => bucket.p50Ms)).toEqual([5, 5, 5].map((value) => expect.closeTo(value, 6)));
  });
});
