/**
 * `estraces ingest` checks every record before it writes: bad ones are rejected one by one with
 * their place in the file and the exit code says so, good ones are stored and readable; and a
 * second ingest of the same files stores nothing new, for every schema (documents are created
 * under ids of their own; an id already stored is counted as already present).
 */
import { writeFileSync } from 'node:fs';

import { generateCorrelatedLogs, generateDemoTraces } from '../../src/cli/sdkData';
import { findLogSchema } from '../../src/proto/logDetect';
import { spansFromOtlp } from '../../src/proto/otlp';
import { implementedSchemaNames } from '../../src/proto/registry';
import type { IngestReport } from '../../src/query/ingest';
import { ingestNeeds, itUnless, itWhere, testEngines } from './engines';
import { cliTrace, deleteMatching, nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const demo = generateDemoTraces({ traces: 3, seed: 31 });
const logs = generateCorrelatedLogs(demo, { seed: 32 });
const goodSpans = spansFromOtlp(demo.request);
const TRACE = demo.traceIds[0];
const START = '1715678467123456789';
const END = '1715678467223456789';
const span = (spanId: string | undefined, change: Record<string, unknown> = {}) => ({ traceId: TRACE, spanId, name: 'bad', startTimeUnixNano: START, endTimeUnixNano: END, ...change });
const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };

/** Each bad span with the reason it must be rejected for (line 2 of the spans file). */
const BAD_SPANS: Array<[unknown, string]> = [
  [span('0102030405060708', { startTimeUnixNano: 'garbage' }), "startTimeUnixNano 'garbage' is not a non-negative integer count of nanoseconds"],
  [span('0102030405060709', { attributes: 'http.method=GET' }), `attributes 'http.method=GET' is not a list of {"key": ..., "value": ...} objects`],
  [span('010203040506070a', { traceId: 'not-hex-zz' }), "traceId 'not-hex-zz' is not 32 hexadecimal digits"],
  [span(undefined), 'spanId is missing'],
  [span('010203040506070b', { endTimeUnixNano: '1715678467023456789' }), 'endTimeUnixNano 1715678467023456789 is before startTimeUnixNano 1715678467123456789'],
  [span('010203040506070c', { traceId: '0'.repeat(32) }), 'traceId is all zeros, which OpenTelemetry reserves for "no id"'],
  [span('010203040506070d', { parentSpanId: 'zz' }), "parentSpanId 'zz' is not 16 hexadecimal digits"],
];
const GOOD_LOG = { timeUnixNano: START, body: { stringValue: 'a log outside any trace' } };
const BAD_LOGS: Array<[unknown, string]> = [
  [{ ...GOOD_LOG, traceId: 'abc' }, "traceId 'abc' is not 32 hexadecimal digits"],
  [{ ...GOOD_LOG, timeUnixNano: '-1' }, "timeUnixNano '-1' is not a non-negative integer count of nanoseconds"],
  [{ ...GOOD_LOG, attributes: 'a=b' }, `attributes 'a=b' is not a list of {"key": ..., "value": ...} objects`],
];

// JSON Lines, as the Collector's file exporter writes: the good request, then one with the bad records.
const spansFile = writeTempJson('mixed-spans.jsonl', {});
writeFileSync(spansFile, `${JSON.stringify(demo.request)}\n${JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans: BAD_SPANS.map(([bad]) => bad) }] }] })}\n`);
const logsFile = writeTempJson('mixed-logs.jsonl', {});
writeFileSync(logsFile, `${JSON.stringify(logs.request)}\n${JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: [GOOD_LOG, ...BAD_LOGS.map(([bad]) => bad)] }] }] })}\n`);

const spanRejections = BAD_SPANS.map(([, reason], i) => ({ file: spansFile, line: 2, path: `resourceSpans[0].scopeSpans[0].spans[${i}]`, reason }));
const logRejections = BAD_LOGS.map(([, reason], i) => ({ file: logsFile, line: 2, path: `resourceLogs[0].scopeLogs[0].logRecords[${i + 1}]`, reason }));

/** The report `estraces ingest` prints: the ingest report, and the records rejected before writing. */
type Printed = Pick<IngestReport, 'spans' | 'logs' | 'documents' | 'written' | 'alreadyPresent' | 'failed'> & { rejected: number; rejections: unknown[] };

async function storedDocuments(url: string, index: string): Promise<number> {
  const response = await fetch(`${url}/${index}*/_count`);
  return ((await response.json()) as { count: number }).count;
}

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  const created: string[] = [];
  afterAll(async () => {
    for (const index of created) {
      await deleteMatching(engine.url, `${index}*`);
    }
  });

  describe.each(implementedSchemaNames().map((schema) => [schema]))('schema %s', (schema) => {
    const index = uniqueIndex(`ingest-check-${schema}`);
    created.push(index);
    const withLogs = findLogSchema(schema) !== undefined;
    const files = withLogs ? [spansFile, logsFile] : [spansFile];
    const stored = itWhere(engine, ingestNeeds(schema));

    stored('writes the good records, rejects each bad one with its place and reason, and exits 1; a second run stores nothing new', async () => {
      const first = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, ...files]);
      expect(first.code).toBe(1);
      const report = JSON.parse(first.stdout) as Printed;
      const rejections = withLogs ? [...spanRejections, ...logRejections] : spanRejections;
      expect(report).toMatchObject({ spans: goodSpans.length, logs: withLogs ? logs.count + 1 : 0, failed: 0, alreadyPresent: 0, rejected: rejections.length, rejections });
      expect(report.written).toBe(report.documents);
      const total = goodSpans.length + BAD_SPANS.length + (withLogs ? logs.count + 1 + BAD_LOGS.length : 0);
      expect(first.stderr).toBe(`${rejections.length} of ${total} records were rejected and not written:\n${rejections.map((r) => `  ${r.file}:${r.line} ${r.path}: ${r.reason}\n`).join('')}`);
      expect(await storedDocuments(engine.url, index)).toBe(report.documents);

      const output = await cliTrace([TRACE, '--url', engine.url, '--index', `${index}*`, '--schema', schema]);
      expect(output.spans.map((row) => row.spanID).sort()).toEqual(goodSpans.filter((s) => s.traceId === TRACE).map((s) => s.spanId).sort());

      const second = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, ...files]);
      expect(second.code).toBe(1);
      expect(JSON.parse(second.stdout)).toMatchObject({ documents: report.documents, written: 0, alreadyPresent: report.documents, failed: 0, rejected: rejections.length });
      expect(await storedDocuments(engine.url, index)).toBe(report.documents);
    });
  });

  it('lists the first 20 rejections and says how many more there are', async () => {
    const index = uniqueIndex('ingest-check-many');
    created.push(index);
    const file = writeTempJson('many-bad.json', { resourceSpans: [{ resource, scopeSpans: [{ spans: [...Array.from({ length: 25 }, () => span(undefined)), span('0102030405060708')] }] }] });
    const result = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', file]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('25 of 26 records were rejected and not written:');
    expect(lines.slice(1, 21)).toEqual(Array.from({ length: 20 }, (_, i) => `  ${file}:1 resourceSpans[0].scopeSpans[0].spans[${i}]: spanId is missing`));
    expect(lines.slice(21)).toEqual(['  ... and 5 more']);
    expect(JSON.parse(result.stdout)).toMatchObject({ written: 1, rejected: 25 });
    expect(await storedDocuments(engine.url, index)).toBe(1);
  });

  const dataStreams = itUnless(engine.kind === 'opensearch' ? undefined : `data streams are tested on OpenSearch: ${engine.label} (the OSS build) has none, Elasticsearch's are an x-pack feature`);
  dataStreams('writes into a data stream an index template makes, and a second run counts the documents as already present', async () => {
    const index = uniqueIndex('ingest-check-ds');
    const client = nodeClient(engine.url);
    await client.transport.request({ method: 'PUT', path: `/_index_template/${index}`, body: { index_patterns: [`${index}*`], data_stream: {}, priority: 500 } });
    try {
      const first = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', spansFile]);
      const report = JSON.parse(first.stdout) as Printed & { dataStreams: string[]; indicesCreated: string[] };
      expect(report).toMatchObject({ spans: goodSpans.length, failed: 0, alreadyPresent: 0, indicesCreated: [] });
      expect(report.dataStreams).toContain(index);
      expect(report.written).toBe(report.documents);
      const second = JSON.parse((await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', spansFile])).stdout) as Printed;
      expect(second).toMatchObject({ written: 0, alreadyPresent: report.documents, failed: 0 });
      expect(await storedDocuments(engine.url, index)).toBe(report.documents);
    } finally {
      await client.transport.request({ method: 'DELETE', path: `/_data_stream/${index}*` });
      await client.transport.request({ method: 'DELETE', path: `/_index_template/${index}` });
    }
  });
});
