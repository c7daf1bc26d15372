/**
 * OTLP/JSON made with the OpenTelemetry JS SDK, ingested with `estraces ingest --schema otel`,
 * comes back from `estraces trace` identical on both engines and with both mappings the
 * exporter's documents get in practice.
 */
import { fetchTrace } from '../../src/query/fetchTrace';
import { resolvePattern } from '../../src/query/resolve';
import { spansFromOtlp } from '../../src/proto/otlp';
import type { LogicalSpan } from '../../src/proto/model';
import { generateDemoTraces } from '../../src/cli/sdkData';
import { testEngines } from './engines';
import { cliTrace, expectedRows, nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const demo = generateDemoTraces({ traces: 12, seed: 7 });
const source = spansFromOtlp(demo.request);
const file = writeTempJson('demo-traces.json', demo.request);

function strip(span: LogicalSpan) {
  return { ...span, events: [...span.events].sort((a, b) => (a.timeUnixNano < b.timeUnixNano ? -1 : 1)), source: undefined };
}

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  describe.each(['dynamic', 'template'] as const)('otel documents with %s mapping', (mapping) => {
    const index = uniqueIndex(`otel-${mapping}`);

    beforeAll(async () => {
      const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', '--mapping', mapping, file]);
      expect(ingested.stderr).toBe('');
      expect(ingested.code).toBe(0);
      const report = JSON.parse(ingested.stdout);
      expect(report).toMatchObject({ schema: 'otel', mapping, spans: source.length, failed: 0 });
    });

    it('is detected as otel', async () => {
      const detected = await runCli(['detect', '--url', engine.url, '--index', `${index}*`]);
      expect(detected.code).toBe(0);
      const answer = JSON.parse(detected.stdout);
      expect(answer.schema).toBe('otel');
      expect(answer.groups[0].indices).toEqual([index, `${index}-logs`]);
    });

    it('returns every trace through estraces trace field by field as the source has it', async () => {
      for (const traceId of demo.traceIds.slice(0, 4)) {
        const output = await cliTrace([traceId, '--url', engine.url, '--index', `${index}*`]);
        expect(output.traceID).toBe(traceId);
        expect(output.warnings).toEqual([]);
        expect(output.spans).toEqual(expectedRows(source, traceId));
      }
    });

    it('keeps every span, attribute type, event, link, status and time to the nanosecond', async () => {
      const client = nodeClient(engine.url);
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      for (const traceId of demo.traceIds) {
        const fetched = await fetchTrace(client, { traceId, resolution, maxSpans: 100_000 });
        const expected = source.filter((span) => span.traceId === traceId).map(strip);
        const actual = fetched.trace.spans.map(strip);
        expect(actual.sort((a, b) => a.spanId.localeCompare(b.spanId))).toEqual(expected.sort((a, b) => a.spanId.localeCompare(b.spanId)));
      }
    });

    it('finds a trace within a time window around it and not in a window before it', async () => {
      const traceId = demo.traceIds[0];
      const start = source.filter((span) => span.traceId === traceId).reduce((min, span) => (span.startTimeUnixNano < min ? span.startTimeUnixNano : min), BigInt(Number.MAX_SAFE_INTEGER) * BigInt(1_000_000));
      const ms = Number(start / BigInt(1_000_000));
      const inside = await cliTrace([traceId, '--url', engine.url, '--index', `${index}*`, '--from', String(ms - 60_000), '--to', String(ms + 60_000)]);
      expect(inside.spans.length).toBe(expectedRows(source, traceId).length);
      const before = await cliTrace([traceId, '--url', engine.url, '--index', `${index}*`, '--from', String(ms - 7_200_000), '--to', String(ms - 3_600_000)]);
      expect(before.spans).toEqual([]);
      expect(before.warnings[0]).toBe(`trace ${traceId} not found in ${index}, ${index}-logs within the time range`);
    });
  });
});
