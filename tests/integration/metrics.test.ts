/**
 * `estraces metrics` against the truth computed here from the source spans, on every schema that
 * stores a duration, as each producer stores them: per interval and group (service, operation, a
 * string, a numeric and a resource attribute), with a span kind filter, and the operations table.
 * Span and error counts are exact; duration percentiles lie between the shortest and the longest
 * span of their group, in order (the engine's TDigest interpolates; where every span of a group
 * lasts the same, the percentiles are that duration). Warnings are exactly those the data calls for.
 */
import type { OtlpKeyValue, OtlpSpan } from '../../src/proto/otlp';
import { findSchema } from '../../src/proto/registry';
import { ingestNeeds, itWhere, lackReason, searchNeeds, testEngines } from './engines';
import { runCli, uniqueIndex, writeTempJson } from './helpers';

const NS_PER_MS = BigInt(1_000_000);
// A whole minute: intervals start at multiples of the step, as Grafana's date histograms do.
const BASE_MS = 1_796_299_980_000;
const STEP_MS = 60_000;
const END_MS = BASE_MS + 3 * STEP_MS - 1;
const TIMES = [0, 1, 2].map((step) => BASE_MS + step * STEP_MS);
const RANGE_SECONDS = (END_MS - BASE_MS) / 1000;
/**
 * Every schema that stores a duration (ss4o and ecs keep none: percentiles would have nothing to
 * read, which the last test pins).
 */
const SCHEMAS = ['otel', 'jaeger', 'data-prepper', 'elastic-apm', 'zipkin', 'bklog', 'otel-raw', 'bklog-log'];
/** Zipkin keeps only the service name of the resource; the LOG protocol only the service too. */
const LOSES_RESOURCE_ATTRIBUTES = ['zipkin', 'bklog-log'];
const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

type Kind = 'server' | 'client' | 'internal' | 'consumer';
const KIND_NUMBERS: Record<Kind, number> = { internal: 1, server: 2, client: 3, consumer: 5 };

interface SourceSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  name: string;
  kind: Kind;
  startMs: number;
  durationMs: number;
  error: boolean;
  attributes: Record<string, string | number>;
}

/**
 * 45 traces, 15 per interval: a Frontend server root with an internal child, a db client child,
 * and in every third trace a db consumer. Names have capitals (Zipkin lowers them). Every seventh
 * span fails; `app.tier` is on two spans in three; `http.response.status_code` on servers and
 * clients; `deployment.environment` on the Frontend resource, and on some internal spans as a
 * span attribute, which stands before the resource's.
 */
const source: SourceSpan[] = [];
for (let t = 0; t < 45; t++) {
  const traceId = hex(0xe0000 + t, 32);
  const rootStart = BASE_MS + Math.floor(t / 15) * STEP_MS + (t % 15) * 3000;
  const rootId = hex(t * 8 + 1, 16);
  const span = (n: number, service: string, name: string, kind: Kind, durationMs: number): SourceSpan => {
    const j = source.length;
    const attributes: Record<string, string | number> = {};
    if (j % 3 !== 2) {
      attributes['app.tier'] = j % 3 === 0 ? 'gold' : 'silver';
    }
    if (kind === 'server' || kind === 'client') {
      attributes['http.response.status_code'] = j % 4 === 0 ? 500 : 200;
    }
    if (kind === 'internal' && t % 5 === 0) {
      attributes['deployment.environment'] = 'canary';
    }
    return { traceId, spanId: hex(t * 8 + n + 1, 16), parentSpanId: n === 0 ? undefined : rootId, service, name, kind, startMs: rootStart + n, durationMs, error: j % 7 === 0, attributes };
  };
  source.push(span(0, 'Frontend', 'GET /Cart', 'server', 20 + (t % 13)));
  source.push(span(1, 'Frontend', 'render', 'internal', 3 + (t % 5)));
  source.push(span(2, 'db', 'SELECT', 'client', 5));
  if (t % 3 === 0) {
    source.push(span(3, 'db', 'Consume', 'consumer', 7 + (t % 3)));
  }
}

const attribute = (key: string, value: string | number): OtlpKeyValue => ({ key, value: typeof value === 'string' ? { stringValue: value } : { intValue: String(value) } });
const nanos = (ms: number) => String(BigInt(ms) * NS_PER_MS);
const RESOURCES: Record<string, OtlpKeyValue[]> = { Frontend: [attribute('deployment.environment', 'prod')], db: [] };
const request = {
  resourceSpans: Object.entries(RESOURCES).map(([service, attributes]) => ({
    resource: { attributes: [attribute('service.name', service), ...attributes] },
    scopeSpans: [
      {
        scope: { name: 'metrics-test' },
        spans: source
          .filter((span) => span.service === service)
          .map(
            (span): OtlpSpan => ({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId,
              name: span.name,
              kind: KIND_NUMBERS[span.kind],
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.startMs + span.durationMs),
              attributes: Object.entries(span.attributes).map(([key, value]) => attribute(key, value)),
              status: { code: span.error ? 2 : 0 },
            })
          ),
      },
    ],
  })),
};
const file = writeTempJson('metrics-spans.json', request);

/** Zipkin stores service and span names lower-cased (its server does, and so does our writer). */
const stored = (schema: string, name: string) => (schema === 'zipkin' ? name.toLowerCase() : name);
const resourceValue = (span: SourceSpan, key: string) => (span.service === 'Frontend' && key === 'deployment.environment' ? 'prod' : undefined);
const attributeOf = (key: string) => (span: SourceSpan) => String(span.attributes[key] ?? resourceValue(span, key) ?? '(none)');
/** Elastic APM times transactions (roots, servers and consumers) and spans in separate fields. */
const isApmTransaction = (span: SourceSpan) => !span.parentSpanId || span.kind === 'server' || span.kind === 'consumer';

interface PrintedSeries {
  series: Array<{ group: string; buckets: Array<{ time: number; requests: number; errors: number; p50Ms: number | null; p90Ms: number | null; p99Ms: number | null }> }>;
  warnings: string[];
}

interface PrintedTable {
  operations: Array<{ service: string; operation: string; requests: number; ratePerSecond: number; errors: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }>;
  warnings: string[];
}

function expectPercentiles(percentiles: Array<number | null>, durations: number[]): void {
  if (durations.length === 0) {
    expect(percentiles).toEqual([null, null, null]);
    return;
  }
  const [low, middle, high] = percentiles as number[];
  expect(low).toBeGreaterThanOrEqual(Math.min(...durations) - 1e-6);
  expect(high).toBeLessThanOrEqual(Math.max(...durations) + 1e-6);
  expect(low).toBeLessThanOrEqual(middle);
  expect(middle).toBeLessThanOrEqual(high);
  if (new Set(durations).size === 1) {
    expect(percentiles).toEqual([durations[0], durations[0], durations[0]].map((value) => expect.closeTo(value, 6)));
  }
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort((a, b) => a.localeCompare(b));

/** The series of `spans` split by `groupOf`, checked interval by interval. */
function expectSeries(printed: PrintedSeries, spans: SourceSpan[], groupOf: (span: SourceSpan) => string): void {
  expect(printed.series.map((series) => series.group)).toEqual(sorted(spans.map(groupOf)));
  for (const series of printed.series) {
    expect(series.buckets.map((bucket) => bucket.time)).toEqual(TIMES);
    for (const bucket of series.buckets) {
      const inBucket = spans.filter((span) => groupOf(span) === series.group && span.startMs >= bucket.time && span.startMs < bucket.time + STEP_MS);
      expect({ group: series.group, time: bucket.time, requests: bucket.requests, errors: bucket.errors }).toEqual({ group: series.group, time: bucket.time, requests: inBucket.length, errors: inBucket.filter((span) => span.error).length });
      expectPercentiles([bucket.p50Ms, bucket.p90Ms, bucket.p99Ms], inBucket.map((span) => span.durationMs));
    }
  }
}

/**
 * The warnings a grouping calls for: on Elastic APM, each group whose spans are timed in both
 * fields in some interval; on Zipkin, grouping by a tag names the tags it does not index.
 */
function expectedWarnings(schema: string, spans: SourceSpan[], groupOf: (span: SourceSpan) => string, attributeKey?: string): string[] {
  const warnings: string[] = [];
  if (schema === 'elastic-apm') {
    for (const time of TIMES) {
      const inBucket = spans.filter((span) => span.startMs >= time && span.startMs < time + STEP_MS);
      for (const group of sorted(inBucket.map(groupOf))) {
        const timings = new Set(inBucket.filter((span) => groupOf(span) === group).map(isApmTransaction));
        if (timings.size > 1) {
          warnings.push(`'${group}' has spans timed in 'transaction.duration.us' and 'span.duration.us': its percentiles are those of the field that times more of them`);
        }
      }
    }
  }
  if (schema === 'zipkin' && attributeKey) {
    warnings.push(`Zipkin indexes a tag only where '${attributeKey}=value' is at most 256 characters long: spans with a longer '${attributeKey}' are counted under '(none)'`);
  }
  return sorted(warnings);
}

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  describe.each(SCHEMAS.map((schema) => [schema]))('%s', (schema) => {
    const index = uniqueIndex(`metrics-${schema}`);
    const check = itWhere(engine, searchNeeds(schema));
    /** Warnings name the indices first; the index name an ingest makes is the producer's own. */
    const local = (warning: string) => (warning.startsWith(index) ? warning.slice(warning.indexOf(': ') + 2) : warning);

    beforeAll(async () => {
      if (!lackReason(engine, ingestNeeds(schema))) {
        const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, file]);
        expect(ingested.code).toBe(0);
      }
    });

    async function metrics<T>(args: string[]): Promise<T> {
      const run = await runCli(['metrics', '--url', engine.url, '--index', `${index}*`, '--from', String(BASE_MS), '--to', String(END_MS), ...args]);
      if (run.code !== 0) {
        throw new Error(`estraces metrics ${args.join(' ')} failed: ${run.stderr}`);
      }
      return JSON.parse(run.stdout) as T;
    }

    const groupings: Array<{ name: string; args: string[]; groupOf: (span: SourceSpan) => string; attributeKey?: string }> = [
      { name: 'service', args: ['--group-by', 'service'], groupOf: (span) => stored(schema, span.service) },
      { name: 'operation', args: ['--group-by', 'operation'], groupOf: (span) => stored(schema, span.name) },
      { name: 'a string attribute, spans without it under (none)', args: ['--group-by', 'app.tier'], groupOf: attributeOf('app.tier'), attributeKey: 'app.tier' },
      { name: 'a numeric attribute', args: ['--group-by', 'http.response.status_code'], groupOf: attributeOf('http.response.status_code'), attributeKey: 'http.response.status_code' },
      ...(LOSES_RESOURCE_ATTRIBUTES.includes(schema)
        ? []
        : [{ name: 'a resource attribute, a span attribute of the same key standing before it', args: ['--group-by', 'deployment.environment'], groupOf: attributeOf('deployment.environment'), attributeKey: 'deployment.environment' }]),
    ];
    for (const grouping of groupings) {
      check(`counts spans and errors per interval by ${grouping.name} exactly, with percentiles within each group's durations`, async () => {
        const printed = await metrics<PrintedSeries>([...grouping.args, '--step', '1m']);
        expectSeries(printed, source, grouping.groupOf);
        expect(sorted(printed.warnings.map(local))).toEqual(expectedWarnings(schema, source, grouping.groupOf, grouping.attributeKey));
      });
    }

    if (findSchema(schema)?.search?.kind) {
      for (const [kind, groupBy] of [
        ['server', 'operation'],
        ['internal', 'service'],
      ] as const) {
        check(`keeps only ${kind} spans with --kind ${kind}`, async () => {
          const spans = source.filter((span) => span.kind === kind);
          const groupOf = (span: SourceSpan) => stored(schema, groupBy === 'service' ? span.service : span.name);
          const printed = await metrics<PrintedSeries>(['--kind', kind, '--group-by', groupBy, '--step', '1m']);
          expectSeries(printed, spans, groupOf);
          expect(printed.warnings).toEqual([]);
        });
      }
    } else {
      check('refuses a kind filter, naming why, where the layout keeps no span kind', async () => {
        const run = await runCli(['metrics', '--url', engine.url, '--index', `${index}*`, '--from', String(BASE_MS), '--to', String(END_MS), '--kind', 'server']);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`layout keeps no span kind, so the kind filter cannot apply to it`);
      });
    }

    check('lists every service and operation over the range with its rate, errors and percentiles (--table)', async () => {
      const printed = await metrics<PrintedTable>(['--table']);
      const rows = [...new Set(source.map((span) => `${stored(schema, span.service)}\u0000${stored(schema, span.name)}`))]
        .map((key) => key.split('\u0000'))
        .sort(([serviceA, operationA], [serviceB, operationB]) => serviceA.localeCompare(serviceB) || operationA.localeCompare(operationB));
      expect(printed.operations.map((row) => [row.service, row.operation])).toEqual(rows);
      for (const row of printed.operations) {
        const spans = source.filter((span) => stored(schema, span.service) === row.service && stored(schema, span.name) === row.operation);
        expect({ row: row.operation, requests: row.requests, errors: row.errors }).toEqual({ row: row.operation, requests: spans.length, errors: spans.filter((span) => span.error).length });
        expect(row.ratePerSecond).toBeCloseTo(spans.length / RANGE_SECONDS, 9);
        expectPercentiles([row.p50Ms, row.p95Ms, row.p99Ms], spans.map((span) => span.durationMs));
      }
      expect(printed.warnings).toEqual([]);
    });
  });

  it('names why a layout that stores no duration cannot give percentiles (ss4o)', async () => {
    const index = uniqueIndex('metrics-ss4o');
    expect((await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'ss4o', file])).code).toBe(0);
    const run = await runCli(['metrics', '--url', engine.url, '--index', `${index}*`, '--from', String(BASE_MS), '--to', String(END_MS), '--table']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^estraces: no index group can answer the operations table: skipped [^:]+: no stored duration field to compute percentiles from\n$/);
  });
});

describe('estraces metrics input', () => {
  it.each([
    [['--kind', 'serverside'], "--kind takes server, client, producer, consumer, internal, or several comma-separated; got 'serverside'"],
    [['--group-by', 'attribute:'], "--group-by takes service, operation or an attribute key (attribute:KEY for a key named service or operation); got 'attribute:'"],
    [['--group-by', ' '], "--group-by takes service, operation or an attribute key (attribute:KEY for a key named service or operation); got ' '"],
    [['--table', '--group-by', 'service'], '--table gives one row per service and operation over the whole range: leave out --group-by and --step'],
  ])('refuses %j before asking any engine', async (args, message) => {
    // No engine listens on port 9: the input is refused before any request.
    const run = await runCli(['metrics', '--url', 'http://127.0.0.1:9', '--index', 'x', ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(`estraces: ${message}`);
  });
});
