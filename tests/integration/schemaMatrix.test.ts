/**
 * Every schema on every engine: the same SDK-made OTLP (six services, errors, exceptions, events,
 * links, unicode and query-syntax characters, an 11,000-span trace, more than one 10,000-document page) is ingested with
 * `estraces ingest --schema X`, detected as X, and read back as the source has it, up to what X
 * cannot store (tests/integration/schemaLosses.ts lists each loss).
 */
import type { TraceSpanRow } from '@grafana/data';

import { generateDemoTraces, generateLargeTrace } from '../../src/cli/sdkData';
import { spanToFrameRow } from '../../src/frames/traceRows';
import type { LogicalSpan } from '../../src/proto/model';
import { spansFromOtlp } from '../../src/proto/otlp';
import { assembleTrace } from '../../src/proto/trace';
import { resolvePattern } from '../../src/query/resolve';
import { runTraceQuery } from '../../src/query/traceQuery';
import { SCHEMA_NAMES, type SchemaName } from '../../src/types';
import { ingestNeeds, itWhere, testEngines } from './engines';
import { canonicalRows, cliTrace, firstDifferingRows, nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';
import { LOSSES } from './schemaLosses';

const demo = generateDemoTraces({ traces: 8, seed: 21 });
const large = generateLargeTrace(11_000, { seed: 22 });
const demoFile = writeTempJson('matrix-demo.json', demo.request);
const largeFile = writeTempJson('matrix-large.json', large.request);
const source = [...spansFromOtlp(demo.request), ...spansFromOtlp(large.request)];


function expectedRows(schema: SchemaName, traceId: string): TraceSpanRow[] {
  const spans: LogicalSpan[] = source.filter((span) => span.traceId === traceId).map((span) => LOSSES[schema].project({ ...span, source: { ...span.source, warnings: [] } }));
  const copies = spans.map((span) => ({ ...span, source: { ...span.source, warnings: [...span.source.warnings] } }));
  return canonicalRows(assembleTrace(copies).spans.map(spanToFrameRow));
}

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  describe.each(SCHEMA_NAMES.map((schema) => [schema]))('schema %s', (schema) => {
    const index = uniqueIndex(`matrix-${schema}`);
    const stored = itWhere(engine, ingestNeeds(schema));

    beforeAll(async () => {
      const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, demoFile, largeFile]);
      expect(ingested.stderr).toBe('');
      expect(JSON.parse(ingested.stdout)).toMatchObject({ schema, spans: source.length, failed: 0 });
    });

    stored('is detected as itself', async () => {
      const detected = await runCli(['detect', '--url', engine.url, '--index', `${index}*`]);
      expect(detected.code).toBe(0);
      expect(JSON.parse(detected.stdout).schema).toBe(schema);
    });

    stored('returns each demo trace as the source has it, up to what the schema cannot store', async () => {
      for (const traceId of demo.traceIds.slice(0, 3)) {
        const output = await cliTrace([traceId, '--url', engine.url, '--index', `${index}*`]);
        expect(canonicalRows(output.spans)).toEqual(expectedRows(schema, traceId));
      }
      const client = nodeClient(engine.url);
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      for (const traceId of demo.traceIds.slice(3)) {
        const result = await runTraceQuery(client, { traceId, resolution, maxSpans: 100_000 });
        expect(canonicalRows(result.rows)).toEqual(expectedRows(schema, traceId));
      }
    });

    stored('returns the 11,000-span trace complete and unchanged', async () => {
      const output = await cliTrace([large.traceIds[0], '--url', engine.url, '--index', `${index}*`]);
      expect(output.spans).toHaveLength(11_000);
      expect(firstDifferingRows(output.spans, expectedRows(schema, large.traceIds[0]))).toEqual([]);
    });
  });
});

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s, one index pattern over two schemas', (_label, engine) => {
  it('returns traces from both, and one trace split across them whole', async () => {
    const base = uniqueIndex('mixed');
    const [first, ...rest] = demo.traceIds;
    const firstSpans = source.filter((span) => span.traceId === first);
    // Half of one trace's spans go to each schema; the other traces go to one side or the other.
    const half = new Set(firstSpans.slice(0, Math.floor(firstSpans.length / 2)).map((span) => span.spanId));
    const pick = (keep: (traceId: string, spanId: string) => boolean) => ({
      resourceSpans: demo.request.resourceSpans.map((resourceSpans) => ({
        ...resourceSpans,
        scopeSpans: (resourceSpans.scopeSpans ?? []).map((scopeSpans) => ({ ...scopeSpans, spans: (scopeSpans.spans ?? []).filter((span) => keep(span.traceId, span.spanId)) })),
      })),
    });
    const jaegerPart = writeTempJson('mixed-jaeger.json', pick((traceId, spanId) => (traceId === first ? half.has(spanId) : rest.indexOf(traceId) % 2 === 0)));
    const otelPart = writeTempJson('mixed-otel.json', pick((traceId, spanId) => (traceId === first ? !half.has(spanId) : rest.indexOf(traceId) % 2 === 1)));
    expect((await runCli(['ingest', '--url', engine.url, '--index', `${base}-a`, '--schema', 'jaeger', jaegerPart])).code).toBe(0);
    expect((await runCli(['ingest', '--url', engine.url, '--index', `${base}-b`, '--schema', 'otel', otelPart])).code).toBe(0);

    const detected = JSON.parse((await runCli(['detect', '--url', engine.url, '--index', `${base}-*`])).stdout);
    expect(detected.schema).toBe('mixed');
    expect(detected.groups.map((group: { schema: string }) => group.schema).sort()).toEqual(['jaeger', 'otel']);

    for (const traceId of rest.slice(0, 2)) {
      const output = await cliTrace([traceId, '--url', engine.url, '--index', `${base}-*`]);
      expect(output.spans.map((span) => span.spanID).sort()).toEqual(source.filter((span) => span.traceId === traceId).map((span) => span.spanId).sort());
    }
    const split = await cliTrace([first, '--url', engine.url, '--index', `${base}-*`]);
    expect(split.spans.map((span) => span.spanID).sort()).toEqual(firstSpans.map((span) => span.spanId).sort());
    expect(split.warnings).toEqual([]);
  });
});
