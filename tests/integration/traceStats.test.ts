/**
 * `estraces stats` on both engines and several producers' layouts, against statistics computed
 * here from the source spans in plain code (self time counted microsecond by microsecond, not by
 * merging intervals as the code under test does). The trace has overlapping children, a child that
 * starts before its parent, one that runs on after it, one wholly after it and an orphan; its
 * times are whole microseconds, which every layout here keeps exactly.
 */
import type { OtlpSpan } from '../../src/proto/otlp';
import { ingestNeeds, itWhere, testEngines } from './engines';
import { deleteMatching, runCli, uniqueIndex, writeTempJson } from './helpers';
import { type FixtureSpan, fixtureToOtlp } from './searchFixture';

const T0_MS = Date.UTC(2026, 10, 21, 9, 0, 0);
const TRACE_ID = '5a7a5a7a5a7a5a7a0000000000000001';
const OTHER_TRACE_ID = '5a7a5a7a5a7a5a7a0000000000000002';

interface SourceSpan {
  traceId: string;
  id: string;
  parent?: string;
  service: string;
  name: string;
  /** Microseconds after T0_MS. */
  startUs: number;
  durationUs: number;
  /** Spans without the app.tier attribute have none here. */
  tier?: string;
  statusCode: number;
}

const id = (n: number) => `00000000000000${n.toString(16).padStart(2, '0')}`;

/** The trace measured, and another beside it in the same services that must not count. */
const SOURCE: SourceSpan[] = [
  { traceId: TRACE_ID, id: id(1), service: 'frontend', name: 'GET /cart', startUs: 0, durationUs: 100_000, tier: 'gold', statusCode: 200 },
  { traceId: TRACE_ID, id: id(2), parent: id(1), service: 'checkout', name: 'POST /pay', startUs: 10_250, durationUs: 30_125, tier: 'gold', statusCode: 200 },
  { traceId: TRACE_ID, id: id(3), parent: id(1), service: 'checkout', name: 'POST /pay', startUs: 30_500, durationUs: 30_001, tier: 'silver', statusCode: 500 },
  { traceId: TRACE_ID, id: id(4), parent: id(2), service: 'payment', name: 'db query', startUs: 15_003, durationUs: 9_997, statusCode: 200 },
  { traceId: TRACE_ID, id: id(5), parent: id(1), service: 'inventory', name: 'db query', startUs: -4_999, durationUs: 10_002, tier: 'bronze', statusCode: 404 },
  { traceId: TRACE_ID, id: id(6), parent: id(1), service: 'shipping', name: 'publish: order', startUs: 90_007, durationUs: 60_013, statusCode: 200 },
  { traceId: TRACE_ID, id: id(7), parent: id(1), service: 'shipping', name: 'publish: order', startUs: 200_000, durationUs: 10_011, tier: 'silver', statusCode: 200 },
  { traceId: TRACE_ID, id: id(8), parent: id(99), service: 'payment', name: 'render "home"', startUs: 50_000, durationUs: 5_005, tier: 'gold', statusCode: 200 },
  { traceId: TRACE_ID, id: id(9), parent: id(6), service: 'shipping', name: 'db query', startUs: 95_000, durationUs: 1_234, statusCode: 200 },
  { traceId: OTHER_TRACE_ID, id: id(10), service: 'frontend', name: 'GET /cart', startUs: 1_000, durationUs: 777_777, tier: 'gold', statusCode: 200 },
];

const ENVIRONMENT = (service: string) => (service === 'shipping' ? 'staging' : 'prod');
const nanos = (us: number) => `${(BigInt(T0_MS) * BigInt(1000) + BigInt(us)) * BigInt(1000)}`;

/** The search fixture's OTLP writer, with the times made exact to the microsecond and app.tier left out where a span has none. */
function sourceRequest() {
  const fixtureSpans = SOURCE.map(
    (span): FixtureSpan => ({
      traceId: span.traceId,
      spanId: span.id,
      parentSpanId: span.parent,
      service: span.service,
      name: span.name,
      startMs: T0_MS,
      durationMs: 0,
      status: 0,
      attributes: { 'http.response.status_code': span.statusCode, 'app.user.vip': false, 'app.tier': span.tier ?? '', 'app.note': 'plain' },
      environment: ENVIRONMENT(span.service),
    })
  );
  const request = fixtureToOtlp(fixtureSpans);
  const byId = new Map(SOURCE.map((span) => [span.id, span]));
  const otlpSpans: OtlpSpan[] = request.resourceSpans.flatMap((resource) => (resource.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []));
  for (const otlp of otlpSpans) {
    const span = byId.get(otlp.spanId)!;
    otlp.startTimeUnixNano = nanos(span.startUs);
    otlp.endTimeUnixNano = nanos(span.startUs + span.durationUs);
    otlp.attributes = (otlp.attributes ?? []).filter((attribute) => attribute.key !== 'app.tier' || span.tier !== undefined);
  }
  return request;
}

const file = writeTempJson('trace-stats.json', sourceRequest());

/** Self time by brute force: each microsecond of the span that no child of it covers. */
function selfUs(span: SourceSpan, spans: SourceSpan[]): number {
  const children = spans.filter((child) => child.parent === span.id);
  let own = 0;
  for (let t = span.startUs; t < span.startUs + span.durationUs; t++) {
    own += children.some((child) => child.startUs <= t && t < child.startUs + child.durationUs) ? 0 : 1;
  }
  return own;
}

type Grouping = 'operation' | 'service' | 'app.tier' | 'deployment.environment' | 'http.response.status_code';

/** A group's names as `estraces stats` prints them. */
function namesOf(span: SourceSpan, groupBy: Grouping): Record<string, string | null> {
  switch (groupBy) {
    case 'operation':
      return { service: span.service, operation: span.name };
    case 'service':
      return { service: span.service };
    case 'app.tier':
      return { value: span.tier ?? null };
    case 'deployment.environment':
      return { value: ENVIRONMENT(span.service) };
    case 'http.response.status_code':
      return { value: String(span.statusCode) };
  }
}

interface StatsOutput {
  traceID: string;
  groupBy: string;
  traceDurationMs: number;
  spans: number;
  rows: Array<Record<string, unknown> & { selfPercent: number | null }>;
  warnings: string[];
}

/** What `estraces stats` must print for the trace, computed from SOURCE alone. */
function truth(groupBy: Grouping) {
  const spans = SOURCE.filter((span) => span.traceId === TRACE_ID);
  const start = Math.min(...spans.map((span) => span.startUs));
  const traceUs = Math.max(...spans.map((span) => span.startUs + span.durationUs)) - start;
  const groups = new Map<string, { names: Record<string, string | null>; durations: number[]; selfs: number[] }>();
  for (const span of spans) {
    const names = namesOf(span, groupBy);
    const key = JSON.stringify(names);
    const group = groups.get(key) ?? { names, durations: [], selfs: [] };
    group.durations.push(span.durationUs);
    group.selfs.push(selfUs(span, spans));
    groups.set(key, group);
  }
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const ms = (us: number) => us / 1000;
  const rows = [...groups.values()].map(({ names, durations, selfs }) => ({
    ...names,
    spans: durations.length,
    totalMs: ms(sum(durations)),
    avgMs: ms(Math.round(sum(durations) / durations.length)),
    minMs: ms(Math.min(...durations)),
    maxMs: ms(Math.max(...durations)),
    selfTotalMs: ms(sum(selfs)),
    selfAvgMs: ms(Math.round(sum(selfs) / selfs.length)),
    selfMinMs: ms(Math.min(...selfs)),
    selfMaxMs: ms(Math.max(...selfs)),
    selfPercent: (sum(selfs) / traceUs) * 100,
  }));
  // The fixture has no two groups with the same self time, so the order is the self time's alone.
  rows.sort((a, b) => b.selfTotalMs - a.selfTotalMs);
  expect(new Set(rows.map((row) => row.selfTotalMs)).size).toBe(rows.length);
  return { traceDurationMs: ms(traceUs), spans: spans.length, rows };
}

function expectStats(output: StatsOutput, groupBy: Grouping) {
  const expected = truth(groupBy);
  const withoutShare = (rows: StatsOutput['rows']) => rows.map(({ selfPercent, ...rest }) => rest);
  expect([output.traceID, output.traceDurationMs, output.spans]).toEqual([TRACE_ID, expected.traceDurationMs, expected.spans]);
  expect(withoutShare(output.rows)).toEqual(withoutShare(expected.rows));
  output.rows.forEach((row, i) => expect(row.selfPercent).toBeCloseTo(expected.rows[i].selfPercent!, 9));
}

const SCHEMAS = ['otel', 'jaeger', 'data-prepper'];
const GROUPINGS: Array<{ flag?: string; groupBy: Grouping; printed: string }> = [
  { groupBy: 'operation', printed: 'operation' },
  { flag: 'service', groupBy: 'service', printed: 'service' },
  { flag: 'app.tier', groupBy: 'app.tier', printed: 'attribute:app.tier' },
  { flag: 'deployment.environment', groupBy: 'deployment.environment', printed: 'attribute:deployment.environment' },
  { flag: 'http.response.status_code', groupBy: 'http.response.status_code', printed: 'attribute:http.response.status_code' },
];

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  describe.each(SCHEMAS.map((schema) => [schema]))('%s', (schema) => {
    const index = uniqueIndex(`it-stats-${schema}`);
    const stored = itWhere(engine, ingestNeeds(schema));
    const stats = (...args: string[]) => runCli(['stats', TRACE_ID, '--url', engine.url, '--index', `${index}*`, ...args]);

    beforeAll(async () => {
      const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, file]);
      expect(ingested.code).toBe(0);
    });

    afterAll(async () => {
      await deleteMatching(engine.url, `${index}*`);
    });

    for (const { flag, groupBy, printed } of GROUPINGS) {
      stored(`prints the statistics grouped by ${flag ?? 'service and operation (the default)'} as computed from the source spans`, async () => {
        const run = await stats(...(flag ? ['--group-by', flag] : []));
        expect([run.code, run.stderr]).toEqual([0, '']);
        const output = JSON.parse(run.stdout) as StatsOutput;
        expect(output.groupBy).toBe(printed);
        expectStats(output, groupBy);
        // The orphan is counted, and said.
        expect(output.warnings).toEqual(['1 span has a parent that is not in this trace']);
      });
    }

    stored('reads the trace only within --from/--to when given, and exits with 3 when the range holds none of it', async () => {
      const around = await stats('--from', String(T0_MS - 60_000), '--to', String(T0_MS + 60_000));
      expect(around.code).toBe(0);
      expectStats(JSON.parse(around.stdout) as StatsOutput, 'operation');

      const before = await stats('--from', String(T0_MS - 3_600_000), '--to', String(T0_MS - 60_000));
      expect(before.code).toBe(3);
      expect(before.stderr).toMatch(new RegExp(`^estraces: trace ${TRACE_ID} not found in ${index}\\S* within the time range\n$`));
      expect(JSON.parse(before.stdout)).toMatchObject({ traceID: TRACE_ID, spans: 0, rows: [], traceDurationMs: 0 });
    });
  });
});

describe('estraces stats input', () => {
  it('names a --group-by without a key, and exits with 1 before asking any engine', async () => {
    // Port 9 (discard) has no engine: an engine call would fail with another message.
    const run = await runCli(['stats', TRACE_ID, '--url', 'http://127.0.0.1:9', '--index', 'it-stats-none*', '--group-by', 'attribute:']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^estraces: --group-by takes service, operation or an attribute key \(attribute:KEY for a key named service or operation\); got 'attribute:'\n/);
  });
});
