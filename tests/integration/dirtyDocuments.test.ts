/**
 * Dirty documents beside clean ones, as a misbehaving pipeline writes them straight into an index
 * the exporter's documents map dynamically (text with keywords): an empty and a garbage
 * `@timestamp`, a span with no trace id, a negative duration, and spans from 1990 and 2287. Every
 * answer about the clean traces stays exact, the dirty documents are named in warnings, and time
 * ranges before 2001 or after 2286 filter exactly instead of matching everything.
 */
import { resolveLogsPattern, searchLogs, logsVolume } from '../../src/query/logs';
import { findServices } from '../../src/query/discovery';
import { resolvePattern } from '../../src/query/resolve';
import { matchingTraceTimings, parseSearchInput, searchSpans, searchTraces } from '../../src/query/search';
import { engineRequest, itWhere, searchNeeds, testEngines } from './engines';
import { nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const NS_PER_MS = BigInt(1_000_000);
const BASE_MS = 1_796_217_000_000;
const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });

/** Two clean traces of two spans each: starts and ends known to the nanosecond. */
const clean = [0, 1].map((i) => {
  const traceId = hex(0xc1ea0 + i, 32);
  const startNs = BigInt(BASE_MS + i * 1000) * NS_PER_MS + BigInt(250);
  const endNs = startNs + BigInt(3_000_000 + i * 1_000_000);
  return { traceId, startNs, endNs, service: 'clean' };
});
const spansRequest = {
  resourceSpans: [
    {
      resource: resource('clean'),
      scopeSpans: [
        {
          scope: { name: 'test' },
          spans: clean.flatMap(({ traceId, startNs, endNs }, i) => [
            { traceId, spanId: hex(i * 2 + 1, 16), name: 'root', kind: 2, startTimeUnixNano: String(startNs), endTimeUnixNano: String(endNs), status: { code: 0 } },
            { traceId, spanId: hex(i * 2 + 2, 16), parentSpanId: hex(i * 2 + 1, 16), name: 'child', kind: 3, startTimeUnixNano: String(startNs + BigInt(1000)), endTimeUnixNano: String(endNs - BigInt(1000)), status: { code: 0 } },
          ]),
        },
      ],
    },
  ],
};
const logsRequest = {
  resourceLogs: [
    {
      resource: resource('clean'),
      scopeLogs: [{ scope: { name: 'test' }, logRecords: [{ timeUnixNano: String(clean[0].startNs + BigInt(5000)), severityText: 'INFO', body: { stringValue: 'clean line' }, traceId: clean[0].traceId, spanId: hex(1, 16) }] }],
    },
  ],
};
const spansFile = writeTempJson('dirty-clean-spans.json', spansRequest);
const logsFile = writeTempJson('dirty-clean-logs.json', logsRequest);

/** A span document as the exporter writes it, with `changes` applied (undefined deletes a field). */
function spanDocument(traceId: string, spanId: string, timestamp: string, service: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const document: Record<string, unknown> = { '@timestamp': timestamp, trace_id: traceId, span_id: spanId, name: 'dirty', kind: 'Server', duration: 1000, status: { code: 'Unset' }, resource: { attributes: { 'service.name': service } }, ...changes };
  return Object.fromEntries(Object.entries(document).filter(([, value]) => value !== undefined));
}

const DIRTY = {
  // Its own trace: no span of it has a time.
  emptyTime: spanDocument(hex(0xd1, 32), hex(0xd1, 16), '', 'dirty'),
  // Inside a clean trace: that trace's start and duration must not move.
  garbageTime: spanDocument(clean[0].traceId, hex(0xd2, 16), 'not-a-time', 'clean'),
  noTraceId: spanDocument('', hex(0xd3, 16), `${BASE_MS + 10}.5`, 'dirty', { trace_id: undefined }),
  negativeDuration: spanDocument(hex(0xd4, 32), hex(0xd4, 16), `${BASE_MS + 20}.5`, 'dirty', { duration: -5 }),
};
const ANCIENT = { traceId: hex(0x1990, 32), document: spanDocument(hex(0x1990, 32), hex(0x1990, 16), '631152000000.5', 'ancient') };
const FUTURE = { traceId: hex(0x2287, 32), document: spanDocument(hex(0x2287, 32), hex(0x2287, 16), '10000000000000.5', 'future') };

const window = { fromNs: BigInt(BASE_MS - 60_000) * NS_PER_MS, toNs: BigInt(BASE_MS + 60_000) * NS_PER_MS };
const dayOf = (isoDay: string) => {
  const fromMs = Date.parse(`${isoDay}T00:00:00Z`);
  return { fromNs: BigInt(fromMs) * NS_PER_MS, toNs: BigInt(fromMs + 86_400_000) * NS_PER_MS };
};
const toMs = (ns: bigint) => Number(ns) / 1e6;

async function bulk(url: string, index: string, documents: Record<string, Record<string, unknown>>): Promise<void> {
  const lines = Object.entries(documents).flatMap(([id, document]) => [JSON.stringify({ index: { _index: index, _id: id } }), JSON.stringify(document)]);
  const response = await fetch(`${url}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${lines.join('\n')}\n` });
  const body = (await response.json()) as { errors: boolean; items: unknown[] };
  expect(body.errors).toBe(false);
}

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  const index = uniqueIndex('dirty-docs');
  const client = nodeClient(engine.url);
  const scripted = itWhere(engine, searchNeeds('otel'));

  beforeAll(async () => {
    const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', '--mapping', 'dynamic', spansFile, logsFile]);
    expect(ingested.code).toBe(0);
    await bulk(engine.url, index, { ...DIRTY, ancient: ANCIENT.document, future: FUTURE.document });
    const logs = (await (await engineRequest(engine.url, `/${index}-logs/_search?size=1`)).json()) as { hits: { hits: Array<{ _source: Record<string, unknown> }> } };
    await bulk(engine.url, `${index}-logs`, { 'empty-time': { ...logs.hits.hits[0]._source, '@timestamp': '', body: { text: 'dirty line' } }, 'garbage-time': { ...logs.hits.hits[0]._source, '@timestamp': 'yesterday', body: { text: 'dirty line' } } });
  });

  const spansOf = async () => resolvePattern(client, index, 'auto');
  const dirtyWarning = (warnings: string[]) => warnings.find((warning) => warning.includes('could not be placed'));

  for (const sort of ['recent', 'slowest'] as const) {
    scripted(`finds the clean traces with their exact times, sorted ${sort}, and names the dirty documents`, async () => {
      const result = await searchTraces(client, { resolution: await spansOf(), window, request: parseSearchInput({ sort, limit: 20 }) });
      // The negative-duration span has a time, so its trace is listed (with no length).
      const expected = sort === 'recent' ? [clean[1].traceId, hex(0xd4, 32), clean[0].traceId] : [clean[1].traceId, clean[0].traceId, hex(0xd4, 32)];
      expect(result.traces.map((trace) => trace.traceId)).toEqual(expected);
      for (const source of clean) {
        const trace = result.traces.find((candidate) => candidate.traceId === source.traceId)!;
        expect(Math.abs(trace.startMs - toMs(source.startNs))).toBeLessThan(0.001);
        expect(Math.abs(trace.durationMs - toMs(source.endNs - source.startNs))).toBeLessThan(0.001);
      }
      // The garbage-time span still belongs to its trace: counted, never timed.
      expect(result.traces.find((trace) => trace.traceId === clean[0].traceId)?.spans).toBe(3);
      expect(dirtyWarning(result.warnings)).toMatch(/^[^:]+: 4 span documents could not be placed in any trace's time, so no time range, ranking or summary includes them \(/);
      expect(dirtyWarning(result.warnings)).toContain('2 with no readable start time');
      expect(dirtyWarning(result.warnings)).toContain('1 with no trace id');
      expect(dirtyWarning(result.warnings)).toContain('1 with a negative duration');
    });
  }

  scripted('ranks all time without failing on the empty time, and names the trace that has no time at all', async () => {
    const result = await searchTraces(client, { resolution: await spansOf(), request: parseSearchInput({ sort: 'slowest', limit: 20 }) });
    const ids = result.traces.map((trace) => trace.traceId);
    expect(ids).toEqual(expect.arrayContaining([clean[0].traceId, clean[1].traceId, ANCIENT.traceId, FUTURE.traceId]));
    expect(ids).not.toContain(hex(0xd1, 32));
    expect(result.warnings).toContain(`1 trace has no span with a readable start time and cannot be ranked, so it is left out (${hex(0xd1, 32)})`);
  });

  scripted('gives the distribution the clean durations, and the scatter the clean spans, each naming the dirty documents', async () => {
    const request = parseSearchInput({ service: 'clean', limit: 50 });
    const timings = await matchingTraceTimings(client, { resolution: await spansOf(), window, request });
    expect(timings.durationsMs.sort((a, b) => a - b)).toEqual(clean.map((trace) => toMs(trace.endNs - trace.startNs)).sort((a, b) => a - b).map((value) => expect.closeTo(value, 3)));
    expect(dirtyWarning(timings.warnings)).toContain('1 with no readable start time');
    const scatter = await searchSpans(client, { resolution: await spansOf(), window, request });
    expect(scatter.spans.map((span) => span.spanId).sort()).toEqual([1, 2, 3, 4].map((i) => hex(i, 16)));
    expect(dirtyWarning(scatter.warnings)).toContain('1 with no readable start time');
  });

  it('lists the services of a window, of 1990 and of 2287 exactly, naming the documents in no window', async () => {
    const resolution = await spansOf();
    const today = await findServices(client, { resolution, window });
    expect(today.values).toEqual(['clean', 'dirty']);
    expect(dirtyWarning(today.warnings)).toContain('4 span documents');
    expect((await findServices(client, { resolution, window: dayOf('1990-01-01') })).values).toEqual(['ancient']);
    expect((await findServices(client, { resolution, window: dayOf('2286-11-20') })).values).toEqual(['future']);
    expect((await findServices(client, { resolution, window: { fromNs: BigInt(0), toNs: NS_PER_MS } })).values).toEqual([]);
  });

  it('answers a 1990 search on the command line with nothing of today, exit 0', async () => {
    const run = await runCli(['services', '--url', engine.url, '--index', index, '--from', '1990-01-01T00:00:00Z', '--to', '1990-01-02T00:00:00Z']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['ancient']);
  });

  // The volume of text times is bucketed by a script.
  scripted('counts only the clean log line in the volume of a window', async () => {
    const resolution = await resolveLogsPattern(client, `${index}-logs`);
    const volume = await logsVolume(client, { resolution, window, filters: {}, intervalMs: 60_000 });
    expect(volume.buckets.reduce((sum, bucket) => sum + Object.values(bucket.counts).reduce((a, b) => a + b, 0), 0)).toBe(1);
  });

  it('shows the clean log line of a window, and of all time, skipping lines with no readable time', async () => {
    const resolution = await resolveLogsPattern(client, `${index}-logs`);
    const result = await searchLogs(client, { resolution, window, filters: {} });
    expect(result.lines.map((line) => line.body)).toEqual(['clean line']);
    const allTime = await searchLogs(client, { resolution, filters: {} });
    expect(allTime.lines.map((line) => line.body)).toEqual(['clean line']);
    expect(allTime.warnings.join('\n')).toContain('2 log documents could not be read');
  });
});
