/**
 * Trace search against ground truth: hundreds of traces ingested as each producer stores them, on
 * both engines; every filter alone and combined returns exactly the expected traces, `recent` and
 * `slowest` return the true top N of the window, and the summaries equal the source.
 */
import { resolvePattern } from '../../src/query/resolve';
import { findTagKeys, findTagValues } from '../../src/query/discovery';
import { matchingTraceTimings, parseSearchInput, searchSpans, searchTraces, type TraceSummary } from '../../src/query/search';
import { durationFilterNeeds, ingestNeeds, itWhere, lackReason, searchNeeds, testEngines } from './engines';
import { nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';
import { buildSearchFixture, FIXTURE_START_MS, fixtureToOtlp, groundTruth, NOTES, OLD_OFFSET_MS, summarise, type TruthQuery, type TruthTrace } from './searchFixture';

const fixture = buildSearchFixture();
const file = writeTempJson('search-fixture.json', fixtureToOtlp(fixture));
const WINDOW = { fromMs: FIXTURE_START_MS - 3_600_000, toMs: FIXTURE_START_MS + 6 * 3_600_000 };
/**
 * Every schema that stores a duration, or a start and an end (ecs stores neither, so it has no
 * trace durations to rank).
 * What a producer cannot store is left out of its cases, by name, rather than skipped.
 */
const SCHEMAS = ['otel', 'jaeger', 'data-prepper', 'elastic-apm', 'zipkin', 'bklog', 'otel-raw', 'ss4o', 'bklog-log'];
const CANNOT_STORE: Record<string, string[]> = {
  // Zipkin keeps only the service name of the resource.
  zipkin: ['span and resource attributes on one span'],
  // The LOG protocol keeps only the service of the resource, and only `tags.error`: ok and unset read alike.
  'bklog-log': ['span and resource attributes on one span', 'status ok', 'status unset'],
};
const EXPECTED_KEYS: Record<string, string[]> = {
  // APM label names lose '.' to '_' on the way in, so the keys come back encoded.
  'elastic-apm': ['app_tier', 'app_note', 'app_user_vip', 'http_response_status_code', 'deployment_environment'],
  zipkin: ['app.tier', 'app.note', 'app.user.vip', 'http.response.status_code'],
  'bklog-log': ['app.tier', 'app.note', 'app.user.vip', 'http.response.status_code'],
};
const DEFAULT_KEYS = ['app.tier', 'app.note', 'app.user.vip', 'http.response.status_code', 'deployment.environment'];

/** Zipkin stores span and service names lower-cased (its server does, and so does our writer). */
function asStored(schema: string, traces: TruthTrace[]): TruthTrace[] {
  if (schema !== 'zipkin') {
    return traces;
  }
  const lower = (name: string) => name.toLowerCase();
  return traces.map((trace) => ({ ...trace, rootService: lower(trace.rootService), rootName: lower(trace.rootName), services: trace.services.map(lower).sort((a, b) => a.localeCompare(b)) }));
}

/** logfmt for a tag value, quoting and escaping whatever needs it. */
function logfmt(tags: Array<[string, string | number | boolean]>): string {
  return tags.map(([key, value]) => (typeof value === 'string' && /[\s"\\]/.test(value) ? `${key}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `${key}=${value}`)).join(' ');
}

function asRows(traces: TraceSummary[]): TruthTrace[] {
  return traces.map((trace) => ({
    traceID: trace.traceId,
    startTime: trace.startMs,
    duration: Math.round(trace.durationMs * 1000) / 1000,
    rootService: trace.rootService,
    rootName: trace.rootName,
    spans: trace.spans,
    errors: trace.errors,
    services: trace.services,
  }));
}

interface Case {
  name: string;
  query: TruthQuery;
  sort?: 'recent' | 'slowest';
  limit?: number;
}

const CASES: Case[] = [
  { name: 'no filter returns every trace of the window, most recent first', query: {} },
  { name: 'service', query: { service: 'checkout' } },
  { name: 'non-ASCII service', query: { service: 'über-café ☕' } },
  { name: 'service and operation on the same span', query: { service: 'payment', operation: 'db query' } },
  { name: 'operation with quotes in its name', query: { operation: 'render "home"' } },
  { name: 'numeric attribute', query: { tags: [['http.response.status_code', 500]] } },
  { name: 'boolean attribute', query: { tags: [['app.user.vip', true]] } },
  { name: 'span and resource attributes on one span', query: { tags: [['app.tier', 'gold'], ['deployment.environment', 'staging']] } },
  { name: 'min duration', query: { minDurationMs: 2500 } },
  { name: 'max duration', query: { maxDurationMs: 3 } },
  { name: 'min and max duration', query: { minDurationMs: 100, maxDurationMs: 120 } },
  { name: 'status error', query: { status: 'error' } },
  { name: 'status ok', query: { status: 'ok' } },
  { name: 'status unset', query: { status: 'unset' } },
  { name: 'everything combined', query: { service: 'payment', status: 'error', minDurationMs: 50, tags: [['app.tier', 'silver']] } },
  { name: 'a narrower window', query: { fromMs: FIXTURE_START_MS + 600_000, toMs: FIXTURE_START_MS + 900_000 } },
  { name: 'slowest top 10 of the window', query: {}, sort: 'slowest', limit: 10 },
  { name: 'most recent 10 of the window', query: {}, sort: 'recent', limit: 10 },
  { name: 'slowest 5 erroring checkout traces', query: { service: 'checkout', status: 'error' }, sort: 'slowest', limit: 5 },
  // Its edges cut traces (0x49's spans outlast its end): each is measured whole, as ground truth does.
  { name: 'slowest 5 of a narrower window, traces crossing its edges measured whole', query: { fromMs: FIXTURE_START_MS + 208_500, toMs: FIXTURE_START_MS + 508_500 }, sort: 'slowest', limit: 5 },
  // No span lies outside it: the engine keeps only the traces that can reach the longest spans.
  { name: 'slowest 10 of a window holding every trace', query: { fromMs: FIXTURE_START_MS - OLD_OFFSET_MS - 3_600_000, toMs: WINDOW.toMs }, sort: 'slowest', limit: 10 },
  ...NOTES.map((note): Case => ({ name: `attribute value ${JSON.stringify(note)} matches literally`, query: { tags: [['app.note', note]] } })),
];

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  describe.each(SCHEMAS.map((schema) => [schema]))('%s', (schema) => {
    const index = uniqueIndex(`search-${schema}`);
    const client = nodeClient(engine.url);
    /** Tests of trace summaries and ranking, and tests that only read stored values. */
    const scripted = itWhere(engine, searchNeeds(schema));
    const stored = itWhere(engine, ingestNeeds(schema));

    beforeAll(async () => {
      const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, file]);
      expect(ingested.code).toBe(0);
    });

    for (const c of CASES.filter((candidate) => !(CANNOT_STORE[schema] ?? []).includes(candidate.name))) {
      const filtersDuration = c.query.minDurationMs !== undefined || c.query.maxDurationMs !== undefined;
      itWhere(engine, [...searchNeeds(schema), ...(filtersDuration ? durationFilterNeeds(schema) : [])])(c.name, async () => {
        const query = { fromMs: WINDOW.fromMs, toMs: WINDOW.toMs, ...c.query };
        const sort = c.sort ?? 'recent';
        const limit = c.limit ?? 1000;
        const expected = asStored(schema, groundTruth(fixture, query, sort, limit));
        const request = parseSearchInput({
          service: query.service,
          operation: query.operation,
          tags: logfmt(query.tags ?? []),
          minDuration: query.minDurationMs === undefined ? undefined : `${query.minDurationMs}ms`,
          maxDuration: query.maxDurationMs === undefined ? undefined : `${query.maxDurationMs}ms`,
          status: query.status,
          limit,
          sort,
        });
        const resolution = await resolvePattern(client, `${index}*`, 'auto');
        const result = await searchTraces(client, { resolution, request, window: { fromNs: BigInt(query.fromMs) * BigInt(1_000_000), toNs: BigInt(query.toMs) * BigInt(1_000_000) } });
        // ss4o keeps no duration and dates to the millisecond: duration filters say how close they are.
        const coarseDuration = schema === 'ss4o' && (query.minDurationMs !== undefined || query.maxDurationMs !== undefined);
        expect(result.warnings).toEqual(coarseDuration ? [`${index}: the ss4o layout stores no duration and its start and end are mapped to the millisecond, so min/max duration were compared to within 1 ms`] : []);
        expect(expected.length).toBeGreaterThan(0);
        expect(asRows(result.traces)).toEqual(expected);
      });
    }

    if (lackReason(engine, ['painless']) && !lackReason(engine, ingestNeeds(schema)) && searchNeeds(schema).includes('painless')) {
      it('fails with the reason where the engine runs no painless script, which trace ends of this layout need', async () => {
        const resolution = await resolvePattern(client, `${index}*`, 'auto');
        const search = searchTraces(client, { resolution, request: parseSearchInput({ limit: 10 }) });
        await expect(search).rejects.toThrow(/all shards failed: script_lang not supported \[painless\] \(this query computes a value no stored field holds, such as a span end, with a painless script/);
      });
    }

    scripted('prints the search as JSON from the CLI, leaving out traces outside the window', async () => {
      const run = await runCli(['search', '--url', engine.url, '--index', `${index}*`, '--service', 'frontend', '--sort', 'slowest', '--limit', '3', '--from', String(WINDOW.fromMs - OLD_OFFSET_MS), '--to', String(WINDOW.toMs)]);
      expect(run.stderr).toBe('');
      const expected = asStored(schema, groundTruth(fixture, { service: 'frontend', fromMs: WINDOW.fromMs - OLD_OFFSET_MS, toMs: WINDOW.toMs }, 'slowest', 3));
      expect(JSON.parse(run.stdout)).toEqual({ traces: expected });
    });

    const fullWindow = { fromNs: BigInt(WINDOW.fromMs) * BigInt(1_000_000), toNs: BigInt(WINDOW.toMs) * BigInt(1_000_000) };

    stored('lists attribute keys and the values of one key in the window, for pickers and ad hoc filters', async () => {
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      const keys = await findTagKeys(client, { resolution, window: fullWindow });
      expect(keys.values).toEqual(expect.arrayContaining(EXPECTED_KEYS[schema] ?? DEFAULT_KEYS));
      expect((await findTagValues(client, { resolution, window: fullWindow, key: 'app.tier' })).values).toEqual(['bronze', 'gold', 'silver']);
      expect((await findTagValues(client, { resolution, window: fullWindow, key: 'app.user.vip' })).values).toEqual(['false', 'true']);
      expect((await findTagValues(client, { resolution, window: fullWindow, key: 'http.response.status_code' })).values).toEqual(['200', '404', '500']);
    });

    stored('gives the newest matching spans for per-span scatter plots', async () => {
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      const result = await searchSpans(client, { resolution, window: fullWindow, request: parseSearchInput({ service: 'payment', status: 'error', limit: 5 }) });
      const expected = fixture.filter((span) => span.service === 'payment' && span.status === 2 && span.startMs >= WINDOW.fromMs).map((span) => span.startMs).sort((a, b) => b - a).slice(0, 5);
      expect(result.spans.map((span) => Number(span.startTimeUnixNano / BigInt(1_000_000)))).toEqual(expected);
      expect(result.spans.every((span) => span.serviceName === 'payment' && span.statusCode === 2)).toBe(true);
    });

    scripted('gives the duration of every matching trace for the distribution', async () => {
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      const result = await matchingTraceTimings(client, { resolution, window: fullWindow, request: parseSearchInput({ tags: 'app.tier=gold' }) });
      const expected = groundTruth(fixture, { ...WINDOW, tags: [['app.tier', 'gold']] }, 'slowest', 1000).map((trace) => trace.duration);
      expect(result.durationsMs.sort((a, b) => b - a)).toEqual(expected);
    });

    stored('names an unknown attribute or a value of the wrong type instead of searching', async () => {
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      const unknown = searchTraces(client, { resolution, request: parseSearchInput({ tags: 'no.such.attribute=1' }) });
      await expect(unknown).rejects.toThrow("unknown attribute 'no.such.attribute'");
      if (schema === 'otel') {
        await expect(searchTraces(client, { resolution, request: parseSearchInput({ tags: 'http.response.status_code=abc' }) })).rejects.toThrow("attribute 'http.response.status_code' holds numbers (long), and 'abc' is not a number");
      }
    });

    if (schema === 'bklog-log') {
      scripted('reads ok and unset alike, as the LOG protocol keeps only tags.error: unset finds the traces with a span not in error, ok finds none', async () => {
        const resolution = await resolvePattern(client, `${index}*`, 'auto');
        const search = (status: 'ok' | 'unset') => searchTraces(client, { resolution, request: parseSearchInput({ status, limit: 1000 }), window: fullWindow });
        const ids = new Set(fixture.filter((span) => span.status !== 2 && span.startMs >= WINDOW.fromMs && span.startMs <= WINDOW.toMs).map((span) => span.traceId));
        const expected = [...ids].map((id) => summarise(fixture, id)).sort((a, b) => b.startTime - a.startTime || (a.traceID < b.traceID ? -1 : 1));
        expect(expected.length).toBeGreaterThan(0);
        expect(asRows((await search('unset')).traces)).toEqual(expected);
        expect((await search('ok')).traces).toEqual([]);
      });
    }
  });
});

describe('estraces search refuses bad input before reaching any engine', () => {
  // Port 9 (discard) has no engine: a message about the input proves nothing was sent.
  const unreachable = 'http://127.0.0.1:9';
  it.each([
    [['--min-duration', 'fast'], "min duration 'fast' is not a duration"],
    [['--tags', 'name="unclosed'], "the quoted value of 'name' is not closed"],
    [['--limit', '0'], "limit '0' must be a whole number from 1 to 1000"],
    [['--status', 'broken'], "status 'broken' is not one of error, ok, unset"],
  ])('%j', async (args, message) => {
    const run = await runCli(['search', '--url', unreachable, '--index', 'traces*', ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });
});
