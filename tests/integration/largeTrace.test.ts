/**
 * A trace larger than any engine page comes back complete, and one over the configured cap comes
 * back truncated with a notice that says so.
 */
import { bigTrace } from '../../src/cli/benchData';
import { generateLargeTrace } from '../../src/cli/sdkData';
import { EngineClient } from '../../src/engine/client';
import { createNodeTransport } from '../../src/engine/nodeTransport';
import { otelSchema } from '../../src/proto/otel';
import { ingest } from '../../src/query/ingest';
import { resolvePattern } from '../../src/query/resolve';
import { fetchTrace } from '../../src/query/fetchTrace';
import { runTraceQuery } from '../../src/query/traceQuery';
import { DEFAULT_MAX_TRACE_SPANS } from '../../src/types';
import { spansFromOtlp } from '../../src/proto/otlp';
import { isNewestOfKind, testEngines } from './engines';
import { cliTrace, nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const large = generateLargeTrace(25_000, { seed: 11 });
const traceId = large.traceIds[0];
const sourceSpans = spansFromOtlp(large.request);
const sourceIds = sourceSpans.map((span) => span.spanId).sort();
const file = writeTempJson('large-trace.json', large.request);

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  const index = uniqueIndex('otel-large');

  beforeAll(async () => {
    const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', file]);
    expect(ingested.code).toBe(0);
    expect(JSON.parse(ingested.stdout)).toMatchObject({ spans: 25_000, failed: 0 });
  });

  it('returns all 25,000 spans of one trace, each once', async () => {
    const output = await cliTrace([traceId, '--url', engine.url, '--index', `${index}*`]);
    expect(output.spans).toHaveLength(25_000);
    expect(output.spans.map((span) => span.spanID).sort()).toEqual(sourceIds);
    expect(output.warnings).toEqual([]);
  });

  it('truncates at the cap with a warning naming the size and the limit', async () => {
    const output = await cliTrace([traceId, '--url', engine.url, '--index', `${index}*`, '--max-spans', '10000']);
    expect(output.spans).toHaveLength(10_000);
    expect(output.warnings[0]).toBe(
      'trace truncated: it has 25000 span documents and the limit is 10000; showing the 10000 that start first. Raise "Max spans per trace" in the data source settings (--max-spans on the command line) to see all of it'
    );
    // Paging orders by start in whole milliseconds: nothing omitted starts in an earlier millisecond.
    const shown = new Set(output.spans.map((span) => span.spanID));
    const lastShownMs = Math.max(...output.spans.map((span) => Math.floor(span.startTime)));
    const omitted = sourceSpans.filter((span) => !shown.has(span.spanId));
    expect(omitted).toHaveLength(15_000);
    expect(omitted.every((span) => Number(span.startTimeUnixNano / BigInt(1_000_000)) >= lastShownMs)).toBe(true);
  });
});

/**
 * The 100,000-span trace is a load test of the reading path, whose requests are the same on every
 * engine: it runs on the newest engine of each kind, which keeps the suite within its time on four.
 */
describe.each(testEngines().filter(isNewestOfKind).map((engine) => [engine.label, engine] as const))('%s, a 100,000-span trace', (_label, engine) => {
  const index = uniqueIndex('otel-huge');
  const spans = bigTrace(100_000, Date.UTC(2026, 10, 20, 12), 5);
  const hugeTraceId = spans[0].traceId;

  beforeAll(async () => {
    const report = await ingest(nodeClient(engine.url), { schema: otelSchema, index, spans, logs: [] });
    expect(report).toMatchObject({ spans: 100_000, failed: 0 });
  });

  it('loads complete through the same core the panel uses (rows as the frame builder receives them), within the default timeout', async () => {
    // The data source's default per-request timeout (60 s), not the suite's longer one.
    const client = new EngineClient(createNodeTransport({ url: engine.url, timeoutMs: 60_000 }));
    const resolution = await resolvePattern(client, `${index}*`, 'auto');
    const result = await runTraceQuery(client, { traceId: hugeTraceId, resolution, maxSpans: DEFAULT_MAX_TRACE_SPANS });
    expect(result.truncated).toBe(false);
    expect(result.notices).toEqual([]);
    expect(result.rows).toHaveLength(100_000);
    expect(new Set(result.rows.map((row) => row.spanID)).size).toBe(100_000);
    expect(result.facts.spanCount).toBe(100_000);
  });
});

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s, documents tying on start and span id across pages', (_label, engine) => {
  const index = uniqueIndex('otel-ties');
  // 40 spans, each stored 1 to 3 times (exporter retries): the copies tie on (start, span id),
  // so with 4 documents a page most page boundaries fall inside a run of equal sort keys.
  const unique = bigTrace(40, Date.UTC(2026, 10, 20, 12), 7);
  const copies = unique.flatMap((span, i) => Array.from({ length: 1 + (i % 3) }, () => span));

  beforeAll(async () => {
    const report = await ingest(nodeClient(engine.url), { schema: otelSchema, index, spans: copies, logs: [], engineIds: true });
    expect(report).toMatchObject({ spans: copies.length, failed: 0 });
  });

  it('reads every document exactly once with small pages, sorting on no _id (refused by Elasticsearch 8)', async () => {
    const client = nodeClient(engine.url);
    const resolution = await resolvePattern(client, `${index}*`, 'auto');
    const fetched = await fetchTrace(client, { traceId: unique[0].traceId, resolution, maxSpans: 1_000, pageSize: 4 });
    expect(fetched.spanDocuments).toBe(copies.length);
    expect(fetched.truncated).toBe(false);
    expect(fetched.trace.spans.map((span) => span.spanId).sort()).toEqual(unique.map((span) => span.spanId).sort());
    // Every copy was read: each one beyond the first of its span is merged, and said so.
    expect(fetched.trace.facts.duplicatesMerged).toBe(copies.length - unique.length);
  });
});
