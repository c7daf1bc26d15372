import { resolveLogSchemas } from '../../../src/proto/logDetect';
import { FilterError, parseTimeShift } from '../../../src/query/filters';
import { buildLogsRequest, buildVolumeRequest, checkLogFilters } from '../../../src/query/logs';
import { QueryError } from '../../../src/query/resolve';

const keyword = { type: 'keyword' };
const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
/** The exporter's otel-mode logs index as OpenSearch maps it dynamically (span events beside the logs). */
const otelLogs = resolveLogSchemas('app-logs', {
  'app-logs': {
    mappings: {
      properties: {
        '@timestamp': text,
        trace_id: text,
        span_id: text,
        event_name: text,
        severity_text: text,
        severity_number: { type: 'long' },
        body: { properties: { text } },
        resource: { properties: { attributes: { properties: { service: { properties: { name: text } } } } } },
      },
    },
  },
}).groups[0];
const apmLogs = resolveLogSchemas('logs-apm*', {
  'logs-apm.app.checkout-default': { mappings: { properties: { '@timestamp': { type: 'date' }, processor: { properties: { event: keyword } }, trace: { properties: { id: keyword } }, span: { properties: { id: keyword } }, transaction: { properties: { id: keyword } }, message: { type: 'text' }, log: { properties: { level: keyword } }, service: { properties: { name: keyword } } } } },
}).groups[0];
const window = { fromNs: BigInt('1715678400000000000'), toNs: BigInt('1715682000000000000') };

describe('logs schema detection', () => {
  it('tells the producers apart by their fields', () => {
    expect(otelLogs.schema.name).toBe('otel');
    expect(apmLogs.schema.name).toBe('elastic-apm');
    const ecs = resolveLogSchemas('logs-*', { 'logs-generic-default': { mappings: { properties: { '@timestamp': { type: 'date' }, trace: { properties: { id: keyword } }, message: { type: 'text' }, log: { properties: { level: keyword } } } } } });
    expect(ecs.groups.map((group) => group.schema.name)).toEqual(['ecs']);
  });

  it('leaves an index with no trace id field unknown, naming its fields', () => {
    const resolution = resolveLogSchemas('plain-*', { 'plain-1': { mappings: { properties: { '@timestamp': { type: 'date' }, message: { type: 'text' } } } } });
    expect(resolution.groups).toEqual([]);
    expect(resolution.unknown).toEqual([{ index: 'plain-1', fields: ['@timestamp', 'message'] }]);
  });
});

describe('logs requests', () => {
  it('matches ids as exact terms on the id fields, never as free-text phrases, newest first', () => {
    const { body } = buildLogsRequest(otelLogs, checkLogFilters({ traceId: '4BF92F3577B34DA6A3CE929D0E0E4736', spanId: '00F067AA0BA902B7' }), window, 100);
    expect(body).toEqual({
      size: 100,
      track_total_hits: false,
      query: {
        bool: {
          filter: [
            { range: { '@timestamp.keyword': { gte: '1715678400000', lt: '1715682000000/' } } },
            { term: { 'trace_id.keyword': '4bf92f3577b34da6a3ce929d0e0e4736' } },
            { term: { 'span_id.keyword': '00f067aa0ba902b7' } },
          ],
          // Span events share the index: an event name without body or severity.
          must_not: [{ bool: { filter: [{ exists: { field: 'event_name' } }], must_not: [{ exists: { field: 'severity_text' } }, { exists: { field: 'severity_number' } }, { exists: { field: 'body' } }] } }],
        },
      },
      sort: [{ '@timestamp.keyword': 'desc' }],
    });
  });

  it('looks for an APM log under the span id or the transaction id', () => {
    const { body } = buildLogsRequest(apmLogs, { spanId: '00f067aa0ba902b7' }, undefined, 10);
    expect(JSON.stringify(body)).toContain('{"bool":{"should":[{"term":{"span.id":"00f067aa0ba902b7"}},{"term":{"transaction.id":"00f067aa0ba902b7"}}],"minimum_should_match":1}}');
  });

  it('matches severity in any case and text as a literal phrase', () => {
    const { body } = buildLogsRequest(apmLogs, { severity: 'error', text: 'a* OR "b":c\\' }, undefined, 10);
    const filter = (body.query as { bool: { filter: unknown[] } }).bool.filter;
    expect(filter).toEqual([{ terms: { 'log.level': ['error', 'ERROR', 'Error'] } }, { match_phrase: { message: 'a* OR "b":c\\' } }]);
  });

  it("looks for the logs of a shared span's server half under the id both halves are stored with", () => {
    expect(checkLogFilters({ spanId: '00F067AA0BA902B7-server' }).spanId).toBe('00f067aa0ba902b7');
    expect(() => checkLogFilters({ spanId: 'xyz-server' })).toThrow("'xyz-server' is not a span id");
  });

  it('refuses malformed ids before anything reaches the engine', () => {
    expect(() => checkLogFilters({ traceId: 'not-a-trace' })).toThrow(QueryError);
    expect(() => checkLogFilters({ traceId: 'not-a-trace' })).toThrow("'not-a-trace' is not a trace id");
    expect(() => checkLogFilters({ spanId: 'xyz' })).toThrow("'xyz' is not a span id: use 16 hexadecimal digits");
  });

  it('counts lines per interval and severity, by script only over the exporter\'s text time', () => {
    const apm = buildVolumeRequest(apmLogs, {}, window, 60_000);
    expect(apm?.body.aggs).toEqual({ volume: { date_histogram: { field: '@timestamp', fixed_interval: '60000ms', min_doc_count: 1 }, aggs: { severity: { terms: { field: 'log.level', size: 20, missing: 'unknown' } } } } });
    const otel = buildVolumeRequest(otelLogs, {}, window, 60_000);
    expect(JSON.stringify(otel?.body.aggs)).toContain('"params":{"field":"@timestamp.keyword"}');
  });
});

describe('parseTimeShift', () => {
  it.each([
    ['-2s', BigInt(-2_000_000_000)],
    ['5m', BigInt(300_000_000_000)],
    ['+1h', BigInt(3_600_000_000_000)],
    ['500ms', BigInt(500_000_000)],
    ['', BigInt(0)],
    [undefined, BigInt(0)],
  ])('reads %j', (text, ns) => {
    expect(parseTimeShift(text)).toBe(ns);
  });

  it('names a shift it cannot read', () => {
    expect(() => parseTimeShift('5 minutes', 'span end time shift')).toThrow(FilterError);
    expect(() => parseTimeShift('5 minutes', 'span end time shift')).toThrow("span end time shift '5 minutes' is not a time shift");
  });
});
