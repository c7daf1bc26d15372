/**
 * A trace on an index of three shards is read in parallel slices, one shard each
 * (`preference=_shards:N`): it must come back exactly as written, and exactly as the same trace
 * read in one sequence of pages from an index of one shard. Where the two indices are read
 * together, every index takes part in the slices of the shard numbers it has.
 */
import { bigTrace } from '../../src/cli/benchData';
import { EngineClient } from '../../src/engine/client';
import { createNodeTransport } from '../../src/engine/nodeTransport';
import type { EngineRequest } from '../../src/engine/transport';
import { otelSchema } from '../../src/proto/otel';
import { ingest } from '../../src/query/ingest';
import { resolvePattern } from '../../src/query/resolve';
import { runTraceQuery } from '../../src/query/traceQuery';
import { testEngines } from './engines';
import { deleteMatching, expectedRows, firstDifferingRows, nodeClient, uniqueIndex } from './helpers';

const SPANS = 30_000;
const spans = bigTrace(SPANS, Date.UTC(2026, 10, 21, 12), 13);
const traceId = spans[0].traceId;
const spanIds = spans.map((span) => span.spanId).sort();

/** A client that keeps the path of every search it sends, to tell a sliced read from a sequential one. */
function recordingClient(url: string): { client: EngineClient; searches: string[] } {
  const transport = createNodeTransport({ url, timeoutMs: 120_000 });
  const searches: string[] = [];
  const client = new EngineClient({
    description: transport.description,
    request<T>(request: EngineRequest): Promise<T> {
      if (request.path.includes('/_search?')) {
        searches.push(request.path);
      }
      return transport.request<T>(request);
    },
  });
  return { client, searches };
}

const sliced = (searches: string[]) => searches.filter((path) => path.includes('preference=_shards'));

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s, a 30,000-span trace', (_label, engine) => {
  const base = uniqueIndex('otel-shards');
  const three = `${base}-three`;
  const one = `${base}-one`;

  beforeAll(async () => {
    for (const [index, shards] of [[three, 3], [one, 1]] as const) {
      const report = await ingest(nodeClient(engine.url), { schema: otelSchema, index, spans, logs: [], shards, replicas: 0 });
      expect(report).toMatchObject({ spans: SPANS, failed: 0 });
    }
  });

  afterAll(() => deleteMatching(engine.url, `${base}-*`));

  async function read(pattern: string, maxSpans = 100_000) {
    const { client, searches } = recordingClient(engine.url);
    const resolution = await resolvePattern(client, pattern, 'otel');
    searches.length = 0;
    const result = await runTraceQuery(client, { traceId, resolution, maxSpans });
    return { result, searches };
  }

  it('reads the trace from three shards in parallel slices, exactly as written and as one shard read in sequence gives it', async () => {
    const fromThree = await read(`${three},${three}-logs`);
    const fromOne = await read(`${one},${one}-logs`);
    // The first page to every shard, then one slice for each of the three shards.
    expect(new Set(sliced(fromThree.searches).map((path) => /preference=([^&]*)/.exec(path)![1]))).toEqual(new Set(['_shards%3A0', '_shards%3A1', '_shards%3A2']));
    expect(sliced(fromOne.searches)).toEqual([]);

    expect(fromThree.result.notices).toEqual([]);
    expect(fromThree.result.truncated).toBe(false);
    expect(fromThree.result.rows).toHaveLength(SPANS);
    expect(fromThree.result.facts.spanCount).toBe(SPANS);
    expect(fromThree.result.rows.map((row) => row.spanID).sort()).toEqual(spanIds);
    expect(firstDifferingRows(fromThree.result.rows, expectedRows(spans, traceId))).toEqual([]);
    expect(fromThree.result.rows).toEqual(fromOne.result.rows);
    expect(fromThree.result.facts).toEqual(fromOne.result.facts);
  });

  it('reads both indices together in slices by shard number, each document once', async () => {
    const both = await read(`${three},${one}`);
    // The one-shard index takes part in the slice of shard 0 only: every document is read once, each span twice over.
    expect(sliced(both.searches).length).toBeGreaterThan(0);
    expect(both.result.rows.map((row) => row.spanID).sort()).toEqual(spanIds);
    expect(both.result.facts.duplicatesMerged).toBe(SPANS);
  });

  it('keeps to one sequence of pages when the trace is over the span cap, showing the same spans that start first as one shard does', async () => {
    const fromThree = await read(`${three},${three}-logs`, 10_000);
    const fromOne = await read(`${one},${one}-logs`, 10_000);
    expect(sliced(fromThree.searches)).toEqual([]);
    expect(fromThree.result.truncated).toBe(true);
    expect(fromThree.result.rows).toHaveLength(10_000);
    expect(fromThree.result.notices[0].text).toMatch(/^trace truncated: it has 30000 span documents and the limit is 10000; showing the 10000 that start first/);
    expect(fromThree.result.rows.map((row) => row.spanID).sort()).toEqual(fromOne.result.rows.map((row) => row.spanID).sort());
  });
});
