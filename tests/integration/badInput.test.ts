/**
 * Bad input gets a clear message and loses nothing: unknown and malformed ids, an unreachable
 * engine, a missing index, data in a layout the schema does not describe, duplicate documents.
 */
import { checkHealth } from '../../src/datasource/health';
import { otelSchema } from '../../src/proto/otel';
import { spansFromOtlp } from '../../src/proto/otlp';
import { ingest } from '../../src/query/ingest';
import { testEngines } from './engines';
import { cliTrace, nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const small = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scopeSpans: [
        {
          scope: { name: 'manual' },
          spans: [
            { traceId: TRACE, spanId: '5f2c1a9e7b3d4c61', name: 'root', kind: 2, startTimeUnixNano: '1715678467100000001', endTimeUnixNano: '1715678467200000001', status: { code: 1 } },
            { traceId: TRACE, spanId: '00f067aa0ba902b7', parentSpanId: '5f2c1a9e7b3d4c61', name: 'GET /api/cart', kind: 3, startTimeUnixNano: '1715678467123456789', endTimeUnixNano: '1715678467165956789' },
          ],
        },
      ],
    },
  ],
};
const file = writeTempJson('small.json', small);

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  const index = uniqueIndex('otel-bad');
  const foreign = uniqueIndex('foreign');

  beforeAll(async () => {
    expect((await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', file])).code).toBe(0);
    const client = nodeClient(engine.url);
    await client.bulk(`${JSON.stringify({ index: { _index: foreign } })}\n${JSON.stringify({ traceID: TRACE, spanID: 'a', what: 'x', at: 1 })}\n`);
    await client.refresh(foreign);
  });

  it('answers an unknown trace id with an empty trace, a not-found notice and exit code 3', async () => {
    const result = await runCli(['trace', '0123456789abcdef0123456789abcdef', '--url', engine.url, '--index', `${index}*`]);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({ traceID: '0123456789abcdef0123456789abcdef', spans: [], warnings: [`trace 0123456789abcdef0123456789abcdef not found in ${index}`] });
    expect(result.stderr).toBe(`estraces: trace 0123456789abcdef0123456789abcdef not found in ${index}\n`);
  });

  it('says how a short trace id was looked up when it is not found', async () => {
    const result = await runCli(['trace', 'abc', '--url', engine.url, '--index', `${index}*`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `estraces: trace abc not found in ${index} (looked up as abc, 0000000000000abc and 00000000000000000000000000000abc: trace ids are 16 or 32 hex digits, shorter ones only where a producer dropped leading zeros)\n`
    );
  });

  it.each([
    [['--from', 'garbage', '--to', 'now'], "--from: 'garbage' is not a time: use ISO 8601 (2024-05-14T09:21:07Z), epoch milliseconds, or now-1h style (units ms, s, m, h, d, w, M, y)"],
    [['--from', 'garbage'], "--from: 'garbage' is not a time"],
    [['--to', 'now'], '--to needs --from too: give both for a time range, or neither for all time'],
    [['--from', 'now', '--to', 'now-1h'], '--from now is after --to now-1h: the range would hold nothing'],
    [['--min-duration', '99999999999h'], "min duration '99999999999h' is longer than any span can last"],
  ])('refuses search options %j before any request, naming the option', async (options, message) => {
    const result = await runCli(['search', '--url', engine.url, '--index', `${index}*`, ...options]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`estraces: ${message}`);
  });

  it('reads calendar ranges such as now-10y (the spans are of 2024)', async () => {
    const result = await runCli(['services', '--url', engine.url, '--index', `${index}*`, '--from', 'now-10y', '--to', 'now']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(['checkout']);
  });

  it('rejects a malformed trace id before querying', async () => {
    const result = await runCli(['trace', 'xyz"; DROP', '--url', engine.url, '--index', `${index}*`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`estraces: 'xyz"; DROP' is not a trace id: use hexadecimal digits 0-9 and a-f only.\n`);
  });

  it('names a missing index and what to check', async () => {
    const result = await runCli(['trace', TRACE, '--url', engine.url, '--index', 'no-such-index-*']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`estraces: index pattern 'no-such-index-*' matches no index on ${engine.url}: check "Span index pattern" in the data source settings, or --index on the command line\n`);
  });

  it('says that data in another layout is not otel, listing its fields', async () => {
    const configured = await runCli(['trace', TRACE, '--url', engine.url, '--index', foreign, '--schema', 'otel']);
    expect(configured.code).toBe(1);
    expect(configured.stderr).toContain(`index pattern '${foreign}' does not look like schema 'otel' (its trace and span id fields are missing); found these fields: ${foreign} has `);
    const detected = await runCli(['detect', '--url', engine.url, '--index', foreign]);
    expect(detected.code).toBe(1);
    expect(detected.stderr).toMatch(new RegExp(`holds spans in an unsupported layout; found these fields: ${foreign} has .*traceID`));
  });

  it('shows a span stored twice (an exporter retry) once, with a warning', async () => {
    const retried = uniqueIndex('otel-retry');
    expect((await runCli(['ingest', '--url', engine.url, '--index', retried, '--schema', 'otel', file])).code).toBe(0);
    // The exporter's retry leaves ids to the engine, so its copies are stored again (estraces ingest would not store them twice).
    const retry = await ingest(nodeClient(engine.url), { schema: otelSchema, index: retried, spans: spansFromOtlp(small), logs: [], engineIds: true });
    expect(retry).toMatchObject({ written: 2, alreadyPresent: 0, failed: 0 });
    const output = await cliTrace([TRACE, '--url', engine.url, '--index', `${retried}*`]);
    expect(output.spans.map((span) => span.spanID)).toEqual(['5f2c1a9e7b3d4c61', '00f067aa0ba902b7']);
    expect(output.warnings).toEqual(['2 duplicate documents for spans already shown were merged (exporter retries)']);
    expect(output.spans[0].warnings).toEqual(['stored more than once (exporter retry); shown once']);
  });

  it('health check reports the engine version, indices and schema', async () => {
    const result = await checkHealth(nodeClient(engine.url), { spanIndex: `${index}*` });
    expect(result.status).toBe('success');
    expect(result.message).toContain(`Connected to ${engine.label}. Span index pattern '${index}*': otel in ${index} (evidence: trace_id, span_id`);
  });

  it('health check says when the data is not in the configured schema', async () => {
    const result = await checkHealth(nodeClient(engine.url), { spanIndex: foreign, schema: 'otel' });
    expect(result.status).toBe('error');
    expect(result.message).toContain(`Connected to ${engine.label}, but index pattern '${foreign}' does not look like schema 'otel'`);
  });

  it('health check names a missing index', async () => {
    const result = await checkHealth(nodeClient(engine.url), { spanIndex: 'nothing-here-*' });
    expect(result).toEqual({ status: 'error', message: `Connected to ${engine.label}, but index pattern 'nothing-here-*' matches no index on ${engine.url}: check "Span index pattern" in the data source settings, or --index on the command line` });
  });
});

describe('an engine that is not there', () => {
  it('gives a message naming the URL, from the CLI and the health check', async () => {
    const result = await runCli(['trace', TRACE, '--url', 'http://127.0.0.1:59999', '--index', 'traces*']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('estraces: cannot reach http://127.0.0.1:59999 (ECONNREFUSED): check the URL and that the engine is running\n');
    const health = await checkHealth(nodeClient('http://127.0.0.1:59999'), { spanIndex: 'traces*' });
    expect(health).toEqual({ status: 'error', message: 'cannot reach http://127.0.0.1:59999 (ECONNREFUSED): check the URL and that the engine is running' });
  });
});
