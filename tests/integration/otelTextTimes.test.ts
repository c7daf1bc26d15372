/**
 * The OpenTelemetry elasticsearch exporter writes a span's start as "<epoch ms>.<ns remainder>"
 * with the remainder unpadded (`.7` is 7 ns, not 0.7 ms). Search reads that text in a script where
 * the mapping is dynamic (OpenSearch 2, Elasticsearch 7): trace starts, durations and the `slowest`
 * order must come out as the source has them for remainders of every length, 1 to 6 digits.
 */
import { resolvePattern } from '../../src/query/resolve';
import { parseSearchInput, searchTraces } from '../../src/query/search';
import { itWhere, searchNeeds, testEngines } from './engines';
import { nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const NS_PER_MS = BigInt(1_000_000);
const BASE_MS = BigInt(1_796_150_000_000);
/** One remainder of each length; a decimal reading of `.7` would put its span 0.699993 ms late. */
const REMAINDERS = [7, 73, 731, 7_319, 73_190, 731_905].map(BigInt);

interface Truth {
  traceId: string;
  startNs: bigint;
  endNs: bigint;
}

const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

/** Trace i: a root starting at its remainder past a millisecond, and a child that ends last. */
function buildTraces(): { request: unknown; truth: Truth[] } {
  const spans: unknown[] = [];
  const truth: Truth[] = [];
  REMAINDERS.forEach((remainder, i) => {
    const traceId = hex(0xa000 + i, 32);
    const rootStart = (BASE_MS + BigInt(i * 10)) * NS_PER_MS + remainder;
    const childStart = rootStart + BigInt(200_000);
    // Durations 50 µs apart, so a misread start of up to 0.7 ms would reorder them.
    const childEnd = rootStart + BigInt(1_000_000 + i * 50_000);
    const rootEnd = childEnd - BigInt(1_000);
    spans.push(
      { traceId, spanId: hex(i * 2 + 1, 16), name: 'root', kind: 2, startTimeUnixNano: String(rootStart), endTimeUnixNano: String(rootEnd), status: { code: 0 } },
      { traceId, spanId: hex(i * 2 + 2, 16), parentSpanId: hex(i * 2 + 1, 16), name: 'child', kind: 3, startTimeUnixNano: String(childStart), endTimeUnixNano: String(childEnd), status: { code: 0 } }
    );
    truth.push({ traceId, startNs: rootStart, endNs: childEnd });
  });
  const request = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'clock' } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] };
  return { request, truth };
}

const { request, truth } = buildTraces();
const file = writeTempJson('otel-text-times.json', request);
const toMs = (ns: bigint) => Number(ns) / 1e6;
const window = { fromNs: (BASE_MS - BigInt(60_000)) * NS_PER_MS, toNs: (BASE_MS + BigInt(60_000)) * NS_PER_MS };

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  const index = uniqueIndex('otel-text-times');
  const client = nodeClient(engine.url);

  beforeAll(async () => {
    const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', file]);
    expect(ingested.code).toBe(0);
  });

  it('reads the documents as the exporter writes them: unpadded remainders in @timestamp', async () => {
    // Ordered here, not by the engine: span_id is text with a keyword only where mapped dynamically.
    const response = await fetch(`${engine.url}/${index}/_search?q=name:root&size=10`);
    const body = (await response.json()) as { hits: { hits: Array<{ _source: { '@timestamp': string; span_id: string } }> } };
    const roots = body.hits.hits.map((hit) => hit._source).sort((a, b) => a.span_id.localeCompare(b.span_id));
    expect(roots.map((root) => root['@timestamp'].split('.')[1])).toEqual(REMAINDERS.map(String));
  });

  const scripted = itWhere(engine, searchNeeds('otel'));
  for (const sort of ['recent', 'slowest'] as const) {
    scripted(`gives every trace its exact start and duration, sorted ${sort}`, async () => {
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      expect(resolution.groups.map((group) => group.schema.name)).toEqual(['otel']);
      const result = await searchTraces(client, { resolution, request: parseSearchInput({ sort, limit: 20 }), window });
      const expected = [...truth].sort((a, b) => (sort === 'recent' ? Number(b.startNs - a.startNs) : Number(b.endNs - b.startNs - (a.endNs - a.startNs))));
      expect(result.traces.map((trace) => trace.traceId)).toEqual(expected.map((trace) => trace.traceId));
      for (const trace of result.traces) {
        const source = truth.find((candidate) => candidate.traceId === trace.traceId)!;
        // Doubles hold epoch milliseconds to about 0.25 µs; the decimal misreading was off by up to 700 µs.
        expect(Math.abs(trace.startMs - toMs(source.startNs))).toBeLessThan(0.001);
        expect(Math.abs(trace.durationMs - toMs(source.endNs - source.startNs))).toBeLessThan(0.001);
      }
    });
  }

  scripted('returns the two most recent traces when the limit is below the number of matches', async () => {
    const resolution = await resolvePattern(client, `${index}*`, 'auto');
    const result = await searchTraces(client, { resolution, request: parseSearchInput({ sort: 'recent', limit: 2 }), window });
    const expected = [...truth].sort((a, b) => Number(b.startNs - a.startNs)).slice(0, 2);
    expect(result.traces.map((trace) => trace.traceId)).toEqual(expected.map((trace) => trace.traceId));
  });
});
