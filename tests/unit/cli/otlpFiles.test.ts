import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { main } from '../../../src/cli/main';
import { EnvelopeScanner, type OtlpBatch, openOtlpFiles, type PathPart, readOtlpBatches, surveyOtlpFile } from '../../../src/cli/otlpFiles';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const dir = mkdtempSync(join(tmpdir(), 'estraces-otlp-'));
let files = 0;

function writeFile(text: string): string {
  const file = join(dir, `f${files++}.json`);
  writeFileSync(file, text);
  return file;
}

const spanAt = (i: number, extra: Record<string, unknown> = {}) => ({ traceId: TRACE, spanId: (i + 1).toString(16).padStart(16, '0'), name: `op ${i}`, startTimeUnixNano: `${1715678467000000000 + i}`, endTimeUnixNano: `${1715678467000000100 + i}`, ...extra });
const request = (spans: unknown[], service = 'cart') => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'lib' }, spans }] }] });

async function readAll(file: string, batchSize = 5_000): Promise<OtlpBatch[]> {
  const batches: OtlpBatch[] = [];
  for await (const batch of readOtlpBatches(await surveyOtlpFile(file), batchSize)) {
    batches.push(batch);
  }
  return batches;
}

describe('EnvelopeScanner', () => {
  const text = `{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "a \\" } ] {", "x": [1, {"y": "\\\\"}]}, {"name": "b\\u00e9\\n"}]}]}]}\n{"resourceLogs": []}\n`;
  const wanted = (path: PathPart[]) => path.length === 7;

  function scan(chunkSize: number): Array<{ path: string; value: unknown; line: number }> {
    const seen: Array<{ path: string; value: unknown; line: number }> = [];
    const scanner = new EnvelopeScanner({ start: wanted, value: (path, value, line) => seen.push({ path: path.join('/'), value, line }), end: () => undefined });
    for (let i = 0; i < text.length; i += chunkSize) {
      scanner.write(text.slice(i, i + chunkSize));
    }
    scanner.end();
    expect(scanner.requests).toBe(2);
    return seen;
  }

  it('cuts out the same values whatever the chunk boundaries, strings with brackets and escapes included', () => {
    const expected = [
      { path: '0/resourceSpans/0/scopeSpans/0/spans/0', value: { name: 'a " } ] {', x: [1, { y: '\\' }] }, line: 1 },
      { path: '0/resourceSpans/0/scopeSpans/0/spans/1', value: { name: 'bé\n' }, line: 1 },
    ];
    for (const size of [1, 2, 3, 7, 16, text.length]) {
      expect(scan(size)).toEqual(expected);
    }
  });

  it('counts lines across requests and inside pretty-printed values', () => {
    const seen: number[] = [];
    const scanner = new EnvelopeScanner({ start: (path) => path[5] === 'spans' && path.length === 7, value: (_path, _value, line) => seen.push(line), end: () => undefined });
    const text = JSON.stringify(request([spanAt(0)])) + '\n' + JSON.stringify(request([spanAt(1), spanAt(2)]), null, 2) + '\n';
    scanner.write(text);
    scanner.end();
    // Pretty-printed, a span's '{' is on the line before its first key, "traceId".
    const lineOf = (spanId: string) => text.slice(0, text.indexOf(`"spanId": "${spanId}"`)).split('\n').length - 2;
    expect(seen).toEqual([1, lineOf(spanAt(1).spanId), lineOf(spanAt(2).spanId)]);
  });

  it.each([
    ['a stray character', '{"resourceSpans": [] x}', "line 1: expected ',' or '}', found 'x'"],
    ['a missing colon', '{"resourceSpans" []}', `line 1: expected ':' after key "resourceSpans", found '['`],
    ['a bad literal', '{"resourceSpans": tru}', "line 1: 'tru' is not a JSON value"],
    ['a truncated document', '{"resourceSpans": [\n{"scopeSpans": [', 'ends inside a value that begins on line 2 (is the file truncated?)'],
  ])('says where the JSON breaks: %s', (_what, input, message) => {
    const scanner = new EnvelopeScanner({ start: () => false, value: () => undefined, end: () => undefined });
    expect(() => {
      scanner.write(input);
      scanner.end();
    }).toThrow(message);
  });
});

describe('surveyOtlpFile', () => {
  it.each([
    ['an empty file', '', 'is empty: it holds no OTLP/JSON export request'],
    ['a file of blank lines', '\n\n  \n', 'is empty: it holds no OTLP/JSON export request'],
    ['text that is not JSON', 'hello world\n', "is not OTLP/JSON: line 1: unexpected 'h' where a JSON value should begin"],
    ['a JSON array', '[]', 'is not OTLP/JSON: line 1: expected an export request object ({"resourceSpans": [...]} or {"resourceLogs": [...]}), found an array'],
    ['an object that is no export request', '{"spans": []}', 'is not OTLP/JSON: line 1: this export request has neither a "resourceSpans" nor a "resourceLogs" list'],
    ['resourceSpans that is not a list', '{"resourceSpans": {}}', 'is not OTLP/JSON: line 1: resourceSpans is an object, not a list'],
    ['spans that are not a list', '{"resourceSpans": [{"scopeSpans": [{"spans": "x"}]}]}', 'is not OTLP/JSON: line 1: resourceSpans[0].scopeSpans[0].spans is a string, not a list'],
    ['a syntax error inside a span', '{"resourceSpans": [{"scopeSpans": [{"spans": [\n{"name": x}]}]}]}', 'is not OTLP/JSON: line 2: the value at resourceSpans[0].scopeSpans[0].spans[0] is not valid JSON: '],
    ['a second line that is not an export request', `${JSON.stringify(request([spanAt(0)]))}\n{"hello": 1}\n`, 'is not OTLP/JSON: line 2: this export request has neither a "resourceSpans" nor a "resourceLogs" list'],
    ['requests without records', '{"resourceSpans": []}\n{"resourceLogs": [{"scopeLogs": [{"logRecords": []}]}]}', 'holds 2 export requests but no span and no log record'],
  ])('refuses %s, naming the file', async (_what, text, message) => {
    const file = writeFile(text);
    await expect(surveyOtlpFile(file)).rejects.toThrow(`${file} ${message}`);
  });

  it('names a missing file and a directory', async () => {
    await expect(surveyOtlpFile(join(dir, 'nothing.json'))).rejects.toThrow(`cannot read ${join(dir, 'nothing.json')}: no such file`);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    await expect(surveyOtlpFile(folder)).rejects.toThrow(`cannot read ${folder}: it is a directory`);
  });

  it('reads a file that starts with a byte order mark', async () => {
    expect((await surveyOtlpFile(writeFile(`\ufeff${JSON.stringify(request([spanAt(0)]))}`))).spans).toBe(1);
  });

  it('counts spans and log records of every request', async () => {
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1' }, { timeUnixNano: '2' }] }] }] };
    const survey = await surveyOtlpFile(writeFile(`${JSON.stringify(request([spanAt(0), spanAt(1)]))}\n${JSON.stringify(logs)}\n`));
    expect({ requests: survey.requests, spans: survey.spans, logs: survey.logs }).toEqual({ requests: 2, spans: 2, logs: 2 });
  });
});

describe('readOtlpBatches', () => {
  it('reads one JSON document and JSON Lines alike, rejecting bad records with their line and path', async () => {
    const spans = [spanAt(0), spanAt(1, { startTimeUnixNano: 'garbage' }), spanAt(2, { attributes: 'a=b' })];
    const prettyText = JSON.stringify(request(spans), null, 1);
    const pretty = await readAll(writeFile(prettyText));
    const lineOf = (spanId: string) => prettyText.slice(0, prettyText.indexOf(`"spanId": "${spanId}"`)).split('\n').length - 2;
    const lines = await readAll(writeFile(`${JSON.stringify(request([spanAt(0)]))}\n${JSON.stringify(request(spans.slice(1), 'shop'))}\n`));
    expect(pretty.flatMap((batch) => batch.spans.map((span) => span.spanId))).toEqual(['0000000000000001']);
    expect(pretty.flatMap((batch) => batch.rejected.map(({ line, path, reason }) => ({ line, path, reason })))).toEqual([
      { line: lineOf(spans[1].spanId), path: 'resourceSpans[0].scopeSpans[0].spans[1]', reason: "startTimeUnixNano 'garbage' is not a non-negative integer count of nanoseconds" },
      { line: lineOf(spans[2].spanId), path: 'resourceSpans[0].scopeSpans[0].spans[2]', reason: `attributes 'a=b' is not a list of {"key": ..., "value": ...} objects` },
    ]);
    expect(lines.flatMap((batch) => batch.spans.map((span) => span.serviceName))).toEqual(['cart']);
    expect(lines.flatMap((batch) => batch.rejected.map(({ line, path }) => `${line} ${path}`))).toEqual(['2 resourceSpans[0].scopeSpans[0].spans[0]', '2 resourceSpans[0].scopeSpans[0].spans[1]']);
  });

  it('gives spans the resource and scope schema URLs that protobuf JSON writes after them', async () => {
    const text = JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 'lib' }, spans: [spanAt(0)], schemaUrl: 'https://s/scope' }], schemaUrl: 'https://s/resource' }] });
    const [span] = (await readAll(writeFile(text)))[0].spans;
    expect(span.resourceSchemaUrl).toBe('https://s/resource');
    expect(span.scope).toEqual({ name: 'lib', version: undefined, attributes: undefined, schemaUrl: 'https://s/scope' });
  });

  it('rejects every record of a group whose resource attributes are not a key/value list', async () => {
    const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [spanAt(0), spanAt(1)] }], resource: { attributes: 'service.name=x' } }] });
    const [batch] = await readAll(writeFile(text));
    expect(batch.spans).toEqual([]);
    expect(batch.rejected.map((record) => record.reason)).toEqual([0, 1].map(() => `its resource.attributes 'service.name=x' is not a list of {"key": ..., "value": ...} objects`));
  });

  it('hands over records in batches near the batch size, never the whole file at once', async () => {
    const spans = Array.from({ length: 4_000 }, (_, i) => spanAt(i, { attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(100) } }] }));
    const batches = await readAll(writeFile(JSON.stringify(request(spans))), 500);
    const sizes = batches.map((batch) => batch.spans.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(4_000);
    expect(sizes.length).toBeGreaterThan(4);
    // A batch is flushed after the read chunk (256 KiB here, about 1,200 such spans) that filled it.
    expect(Math.max(...sizes)).toBeLessThan(500 + 1_300);
  });

  it('keeping traces whole, cuts batches only where no trace read so far has spans still to come', async () => {
    // Traces 1 (3 spans) and 2 (2) interleaved, then 3 and 4 one after the other: 1 2 1 2 1 3 3 4 4
    const order = [1, 2, 1, 2, 1, 3, 3, 4, 4];
    const spans = order.map((trace, i) => spanAt(i, { traceId: String(trace).repeat(32) }));
    const file = writeFile(JSON.stringify(request(spans)));
    const batchesOf = async (wholeTraces: boolean) => {
      const batches: number[][] = [];
      for await (const batch of readOtlpBatches(await surveyOtlpFile(file, { wholeTraces }), 2)) {
        batches.push(batch.spans.map((span) => Number(span.traceId[0])));
      }
      return batches;
    };
    expect(await batchesOf(false)).toEqual([[1, 2], [1, 2], [1, 3], [3, 4], [4]]);
    expect(await batchesOf(true)).toEqual([[1, 2, 1, 2, 1], [3, 3], [4, 4]]);
  });

  it('keys log records by their place, so equal records at two places stay two', async () => {
    const record = { timeUnixNano: '7', body: { stringValue: 'same' } };
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [record, record, { timeUnixNano: 'x' }] }] }] };
    const [batch] = await readAll(writeFile(`${JSON.stringify(logs)}\n${JSON.stringify(logs)}`));
    expect(batch.logKeys).toEqual(['0:resourceLogs[0].scopeLogs[0].logRecords[0]', '0:resourceLogs[0].scopeLogs[0].logRecords[1]', '1:resourceLogs[0].scopeLogs[0].logRecords[0]', '1:resourceLogs[0].scopeLogs[0].logRecords[1]']);
    expect(batch.rejected.map((rejected) => `${rejected.line} ${rejected.path}`)).toEqual(['1 resourceLogs[0].scopeLogs[0].logRecords[2]', '2 resourceLogs[0].scopeLogs[0].logRecords[2]']);
  });
});

describe('openOtlpFiles', () => {
  it('surveys every file before reading any, so a bad second file fails first', async () => {
    await expect(openOtlpFiles([writeFile(JSON.stringify(request([spanAt(0)]))), writeFile('{"resourceSpans": [')])).rejects.toThrow('ends inside a value');
  });

  it('counts every rejection and keeps the first ones', async () => {
    const input = await openOtlpFiles([writeFile(JSON.stringify(request(Array.from({ length: 30 }, (_, i) => spanAt(i, { spanId: 'bad' })))))], { rejectionLimit: 5 });
    for await (const batch of input.batches(100)) {
      expect(batch.spans).toEqual([]);
    }
    expect(input.rejections.count).toBe(30);
    expect(input.rejections.first.map((record) => record.path)).toEqual([0, 1, 2, 3, 4].map((i) => `resourceSpans[0].scopeSpans[0].spans[${i}]`));
  });
});

describe('estraces ingest before it writes', () => {
  let stderr: string;
  beforeEach(() => {
    stderr = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  // No engine listens on port 9: these files fail before any request is sent.
  it.each([
    ['an empty file', '', 'is empty: it holds no OTLP/JSON export request'],
    ['a file with no spans', '{"resourceSpans": []}', 'holds an export request but no span and no log record'],
    ['a file that is not OTLP/JSON', '{"traces": []}', 'is not OTLP/JSON: line 1: this export request has neither a "resourceSpans" nor a "resourceLogs" list'],
  ])('exits 1 on %s, naming the file', async (_what, text, message) => {
    const file = writeFile(text);
    expect(await main(['ingest', '--url', 'http://127.0.0.1:9', '--index', 'x', '--schema', 'otel', file])).toBe(1);
    expect(stderr).toBe(`estraces: ${file} ${message}\n`);
  });
});
