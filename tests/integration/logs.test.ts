/**
 * Traces and logs linked both ways, for every logs schema on both engines: OTLP logs made with the
 * OpenTelemetry JS SDK inside spans (plus logs outside any span, and one late log) are ingested
 * beside the spans; the span link query returns exactly that span's logs, the trace link query
 * exactly the trace's, the time shifts apply as configured, and each log line's trace id opens the
 * trace that holds its span.
 */
import { generateCorrelatedLogs, generateDemoTraces } from '../../src/cli/sdkData';
import { logRecordsFromOtlp, spansFromOtlp } from '../../src/proto/otlp';
import { LOG_SCHEMA_NAMES } from '../../src/types';
import { resolveLogsPattern, searchLogs } from '../../src/query/logs';
import { logsWindowOf } from '../../src/query/logsWindow';
import { resolvePattern } from '../../src/query/resolve';
import { runTraceQuery } from '../../src/query/traceQuery';
import { ingestNeeds, itWhere, searchNeeds, testEngines } from './engines';
import { nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const demo = generateDemoTraces({ traces: 5, seed: 77 });
const logs = generateCorrelatedLogs(demo, { seed: 78 });
const spans = spansFromOtlp(demo.request);
/** A span whose trace gets one more log, five seconds after the span ends. */
const lateSpan = spans.find((span) => span.parentSpanId !== undefined)!;
const LATE_BODY = 'written five seconds after its span ended';
const lateNs = lateSpan.startTimeUnixNano + (lateSpan.durationNano ?? BigInt(0)) + BigInt(5_000_000_000);
logs.request.resourceLogs[0].scopeLogs![0].logRecords!.push({
  timeUnixNano: lateNs.toString(),
  observedTimeUnixNano: lateNs.toString(),
  severityNumber: 9,
  severityText: 'INFO',
  body: { stringValue: LATE_BODY },
  traceId: lateSpan.traceId,
  spanId: lateSpan.spanId,
  attributes: [],
});
const records = logRecordsFromOtlp(logs.request);
const spansFile = writeTempJson('linked-spans.json', demo.request);
const logsFile = writeTempJson('linked-logs.json', logs.request);
/** The shifts a data source is configured with: a second either side, so the late log stays out. */
const SHIFTS = { spanStartTimeShift: '-1s', spanEndTimeShift: '1s' };
const SECOND_NS = BigInt(1_000_000_000);

/** Producers that store log times in microseconds (the losses the README lists). */
const MICROSECOND_TIMES = new Set(['elastic-apm', 'bklog']);
/** The seed's LOG protocol keeps `dtEventTimeStamp` in milliseconds. */
const MILLISECOND_TIMES = new Set(['bklog-log']);

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  describe.each(LOG_SCHEMA_NAMES.map((schema) => [schema]))('%s', (schema) => {
    const index = uniqueIndex(`linked-${schema}`);
    const client = nodeClient(engine.url);
    /** A log line's identity for comparison: its time (at the schema's resolution) and body. */
    const resolution = BigInt(MILLISECOND_TIMES.has(schema) ? 1_000_000 : MICROSECOND_TIMES.has(schema) ? 1000 : 1);
    const stored = itWhere(engine, ingestNeeds(schema));
    /** A trace's log window comes from the trace's end, a script where the layout stores no end. */
    const scripted = itWhere(engine, searchNeeds(schema));
    const keys = (lines: Array<{ timeUnixNano: bigint; body?: unknown }>) => lines.map((line) => `${(line.timeUnixNano / resolution) * resolution}|${String(line.body)}`).sort();

    beforeAll(async () => {
      const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, spansFile, logsFile]);
      expect(ingested.stderr).toBe('');
      expect(JSON.parse(ingested.stdout)).toMatchObject({ logs: records.length, failed: 0 });
    });

    stored('detects the logs schema of the logs index', async () => {
      const resolution = await resolveLogsPattern(client, `${index}-logs`);
      expect(resolution.groups.map((group) => group.schema.name)).toEqual([schema]);
    });

    stored("returns exactly each span's logs in the span's time widened by the configured shifts", async () => {
      const spanResolution = await resolvePattern(client, `${index}*`, 'auto');
      const logResolution = await resolveLogsPattern(client, `${index}-logs`);
      for (const span of spans) {
        const window = await logsWindowOf(client, spanResolution, span.traceId, span.spanId, SHIFTS);
        const found = await searchLogs(client, { resolution: logResolution, filters: { traceId: span.traceId, spanId: span.spanId }, window });
        const expected = records.filter((record) => record.spanId === span.spanId && record.body !== LATE_BODY);
        expect(found.warnings).toEqual([]);
        expect(keys(found.lines)).toEqual(keys(expected));
      }
    });

    scripted("returns exactly each trace's logs in the trace's time widened by the shifts", async () => {
      const spanResolution = await resolvePattern(client, `${index}*`, 'auto');
      const logResolution = await resolveLogsPattern(client, `${index}-logs`);
      for (const traceId of demo.traceIds) {
        const window = await logsWindowOf(client, spanResolution, traceId, undefined, SHIFTS);
        const found = await searchLogs(client, { resolution: logResolution, filters: { traceId }, window });
        // The trace's own extent from the source spans, widened by the same shifts (a second each side).
        const own = spans.filter((span) => span.traceId === traceId);
        const fromNs = own.reduce((min, span) => (span.startTimeUnixNano < min ? span.startTimeUnixNano : min), own[0].startTimeUnixNano) - SECOND_NS;
        const toNs = own.reduce((max, span) => { const end = span.startTimeUnixNano + (span.durationNano ?? BigInt(0)); return end > max ? end : max; }, BigInt(0)) + SECOND_NS;
        const expected = records.filter((record) => record.traceId === traceId && record.timeUnixNano >= fromNs && record.timeUnixNano <= toNs);
        expect(keys(found.lines)).toEqual(keys(expected));
        expect(found.lines.length).toBeGreaterThan(0);
      }
    });

    stored('applies the end shift as configured: a log five seconds after its span appears only with a longer shift', async () => {
      const spanResolution = await resolvePattern(client, `${index}*`, 'auto');
      const logResolution = await resolveLogsPattern(client, `${index}-logs`);
      const filters = { traceId: lateSpan.traceId, spanId: lateSpan.spanId };
      const short = await searchLogs(client, { resolution: logResolution, filters, window: await logsWindowOf(client, spanResolution, lateSpan.traceId, lateSpan.spanId, SHIFTS) });
      const long = await searchLogs(client, { resolution: logResolution, filters, window: await logsWindowOf(client, spanResolution, lateSpan.traceId, lateSpan.spanId, { spanEndTimeShift: '6s' }) });
      expect(short.lines.map((line) => line.body)).not.toContain(LATE_BODY);
      expect(long.lines.map((line) => line.body)).toContain(LATE_BODY);
      expect(long.lines).toHaveLength(short.lines.length + 1);
    });

    stored("opens, from each log line's trace id, the trace that holds the line's span", async () => {
      const spanResolution = await resolvePattern(client, `${index}*`, 'auto');
      const run = await runCli(['logs', '--url', engine.url, '--index', `${index}-logs`, '--trace-id', demo.traceIds[0]]);
      expect(run.stderr).toBe('');
      const lines = JSON.parse(run.stdout).logs as Array<{ traceID: string; spanID: string }>;
      expect(lines.length).toBe(records.filter((record) => record.traceId === demo.traceIds[0]).length);
      const trace = await runTraceQuery(client, { traceId: lines[0].traceID, resolution: spanResolution, maxSpans: 1000 });
      // The span pattern also covers the logs index: log records are never read as spans.
      expect(trace.rows).toHaveLength(spans.filter((span) => span.traceId === demo.traceIds[0]).length);
      expect(trace.notices.filter((notice) => notice.severity === 'warning')).toEqual([]);
      for (const line of lines) {
        expect(trace.rows.map((row) => row.spanID)).toContain(line.spanID);
      }
    });

    stored('finds logs outside any span by service and time, and never under a trace id', async () => {
      const logResolution = await resolveLogsPattern(client, `${index}-logs`);
      const outside = records.filter((record) => record.traceId === undefined);
      expect(outside.length).toBeGreaterThan(0);
      const window = { fromNs: outside[0].timeUnixNano - BigInt(1_000_000_000), toNs: outside[outside.length - 1].timeUnixNano + BigInt(1_000_000_000) };
      const found = await searchLogs(client, { resolution: logResolution, filters: { service: 'frontend', text: 'health probe' }, window });
      expect(keys(found.lines)).toEqual(keys(outside));
      expect(found.lines.every((line) => line.traceId === undefined)).toBe(true);
    });
  });
});

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s, producers without a log store', (_label, engine) => {
  it.each([['jaeger'], ['zipkin']])('refuses to ingest logs as %s, naming the schemas that store logs', async (schema) => {
    const run = await runCli(['ingest', '--url', engine.url, '--index', uniqueIndex(`nolog-${schema}`), '--schema', schema, spansFile, logsFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`schema '${schema}' has no log layout (its producer keeps no logs): ingest the ${records.length} log records with a schema that stores logs (elastic-apm, data-prepper, ss4o, bklog, bklog-log, otel, otel-raw, ecs)`);
  });
});

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s, bklog-log span records as log lines', (_label, engine) => {
  it("returns each span's log text from the span index itself, at the span start, and leaves spans without one out", async () => {
    const index = uniqueIndex('linked-bklog-log-spans');
    expect((await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'bklog-log', spansFile])).code).toBe(0);
    const client = nodeClient(engine.url);
    const logResolution = await resolveLogsPattern(client, index);
    expect(logResolution.groups.map((group) => group.schema.name)).toEqual(['bklog-log']);
    const traceId = demo.traceIds[0];
    const found = await searchLogs(client, { resolution: logResolution, filters: { traceId } });
    // The LOG protocol keeps one text per span: its first event's message, else the event's name; times in milliseconds.
    const expected = spans
      .filter((span) => span.traceId === traceId && span.events.length > 0)
      .map((span) => {
        const message = span.events[0].attributes.message;
        return `${span.spanId}|${span.serviceName}|${span.startTimeUnixNano / BigInt(1_000_000)}|${typeof message === 'string' ? message : span.events[0].name}`;
      })
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(found.warnings).toEqual([]);
    expect(found.lines.map((line) => `${line.spanId}|${line.resourceAttributes['service.name']}|${line.timeUnixNano / BigInt(1_000_000)}|${String(line.body)}`).sort()).toEqual(expected);
  });
});
