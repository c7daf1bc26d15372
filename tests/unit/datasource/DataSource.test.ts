import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings, LogRowContextQueryDirection, type LogRowModel, SupplementaryQueryType } from '@grafana/data';

import { lastValueFrom, tap, toArray } from 'rxjs';

import { DataSource, logContextRow } from '../../../src/datasource/DataSource';
import type { EsTracesVariableSupport } from '../../../src/datasource/variables';
import { EngineError } from '../../../src/engine/errors';
import type { EngineRequest, EngineTransport } from '../../../src/engine/transport';
import type { EsTracesOptions, EsTracesQuery } from '../../../src/types';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace: (text: string) => text.replace('$traceId', '4bf92f3577b34da6a3ce929d0e0e4736') }),
  getDataSourceSrv: () => ({ getInstanceSettings: (uid: string) => (uid === 'loki-uid' ? { uid, type: 'loki', name: 'Loki' } : uid === 'prom-uid' ? { uid, type: 'prometheus', name: 'Metrics' } : uid === 'other-es' ? { uid, type: 'elasticsearch', name: 'Logs' } : undefined) }),
}));

const keyword = { type: 'keyword' };
const otelMapping = { traces: { mappings: { properties: { '@timestamp': { type: 'date_nanos' }, trace_id: keyword, span_id: keyword, name: keyword, kind: keyword, duration: { type: 'long' } } } } };
const spanHit = {
  _index: 'traces',
  _id: '1',
  _source: { '@timestamp': '1715678467123.456789', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', name: 'GET /api/cart', kind: 'Server', duration: 42500000, resource: { attributes: { 'service.name': 'checkout' } } },
  sort: [1715678467123, '00f067aa0ba902b7', '1'],
};

/** Answers requests from fixtures, recording them; a unit-test stand-in for the engine transport. */
class FixtureTransport implements EngineTransport {
  readonly description = 'http://fixture:9200';
  readonly requests: EngineRequest[] = [];
  constructor(private readonly answer: (request: EngineRequest) => unknown) {}
  async request<T>(request: EngineRequest): Promise<T> {
    this.requests.push(request);
    const value = this.answer(request);
    if (value instanceof Error) {
      throw value;
    }
    return value as T;
  }
}

function engine(overrides: { mapping?: unknown; hits?: unknown[]; root?: unknown } = {}) {
  return new FixtureTransport((request) => {
    if (request.path === '/') {
      return overrides.root ?? { version: { number: '2.19.1', distribution: 'opensearch' } };
    }
    if (request.path.includes('/_mapping')) {
      return overrides.mapping ?? otelMapping;
    }
    const body = request.body as { query: { bool: { filter: Array<Record<string, unknown>> } } };
    const events = body.query.bool.filter.some((clause) => 'exists' in clause);
    return { _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: events ? 0 : (overrides.hits ?? [spanHit]).length, relation: 'eq' }, hits: events ? [] : (overrides.hits ?? [spanHit]) } };
  });
}

function dataSource(transport: EngineTransport, jsonData: EsTracesOptions = { spanIndex: 'traces*' }) {
  const settings = { id: 1, uid: 'es', name: 'ES Traces', type: 'estraces-otel-datasource', url: '/api/datasources/proxy/uid/es', jsonData, meta: {} } as unknown as DataSourceInstanceSettings<EsTracesOptions>;
  return new DataSource(settings, transport);
}

function request(target: Partial<EsTracesQuery>): DataQueryRequest<EsTracesQuery> {
  const range = { from: dateTime(1715678400000), to: dateTime(1715682000000), raw: { from: 'now-1h', to: 'now' } };
  return { targets: [{ refId: 'A', queryType: 'traceId', ...target }], range, scopedVars: {}, requestId: 'r', interval: '1s', intervalMs: 1000, timezone: 'utc', app: 'explore', startTime: 0 } as DataQueryRequest<EsTracesQuery>;
}

describe('DataSource.query with queryType traceId', () => {
  it('returns the trace frame for the interpolated trace id', async () => {
    const response = await lastValueFrom(dataSource(engine()).query(request({ query: '$traceId' })));
    expect(response.errors).toBeUndefined();
    expect(response.data).toHaveLength(1);
    const frame = response.data[0];
    expect(frame.meta.preferredVisualisationType).toBe('trace');
    expect(frame.fields.find((field: { name: string }) => field.name === 'spanID').values).toEqual(['00f067aa0ba902b7']);
  });

  it('adds the node graph frames beside the trace when the node graph is enabled, as Jaeger and Tempo do', async () => {
    const response = await lastValueFrom(dataSource(engine(), { spanIndex: 'traces*', nodeGraph: { enabled: true } }).query(request({ query: '$traceId' })));
    expect(response.data.map((frame: { meta: { preferredVisualisationType: string } }) => frame.meta.preferredVisualisationType)).toEqual(['trace', 'nodeGraph', 'nodeGraph']);
    expect(response.data[1].fields.find((field: { name: string }) => field.name === 'id').values).toEqual(['00f067aa0ba902b7']);
    expect(response.data.map((frame: { refId: string }) => frame.refId)).toEqual(['A', 'A', 'A']);
  });

  it('adds no node graph frames for a trace that is not found', async () => {
    const response = await lastValueFrom(dataSource(engine({ hits: [] }), { spanIndex: 'traces*', nodeGraph: { enabled: true } }).query(request({ query: 'abcdef0123456789abcdef0123456789' })));
    expect(response.data).toHaveLength(1);
  });

  it('narrows by the dashboard range only when asked to', async () => {
    const transport = engine();
    await lastValueFrom(dataSource(transport).query(request({ query: '4bf92f3577b34da6a3ce929d0e0e4736', useTimeRange: true })));
    const searches = transport.requests.filter((r) => r.path.includes('/_search'));
    expect(JSON.stringify(searches[0].body)).toContain('"range":{"@timestamp":{"gte":1715678400000,"lte":1715682000000,"format":"epoch_millis"}}');

    const allTime = engine();
    await lastValueFrom(dataSource(allTime).query(request({ query: '4bf92f3577b34da6a3ce929d0e0e4736' })));
    const unbounded = allTime.requests.filter((r) => r.path.includes('/_search'));
    expect(unbounded.length).toBeGreaterThan(0);
    expect(unbounded.some((r) => JSON.stringify(r.body).includes('"range"'))).toBe(false);
  });

  it('says a trace was not found, with an empty frame and no error', async () => {
    const response = await lastValueFrom(dataSource(engine({ hits: [] })).query(request({ query: 'abcdef0123456789abcdef0123456789' })));
    expect(response.errors).toBeUndefined();
    expect(response.data[0].length).toBe(0);
    expect(response.data[0].meta.notices[0]).toEqual({ severity: 'info', text: 'trace abcdef0123456789abcdef0123456789 not found in traces' });
  });

  it('turns a malformed id into a message on the query, without asking the engine to search', async () => {
    const transport = engine();
    const response = await lastValueFrom(dataSource(transport).query(request({ query: 'not-a-trace' })));
    expect(response.errors).toEqual([{ refId: 'A', message: "'not-a-trace' is not a trace id: use hexadecimal digits 0-9 and a-f only." }]);
    expect(transport.requests.some((r) => r.path.includes('/_search'))).toBe(false);
  });

  it('reports an unreachable engine as a message, not a stack trace', async () => {
    const down = new FixtureTransport(() => new EngineError('unreachable', 'cannot reach http://fixture:9200 (ECONNREFUSED): check the URL and that the engine is running'));
    const response = await lastValueFrom(dataSource(down).query(request({ query: '4bf92f3577b34da6a3ce929d0e0e4736' })));
    expect(response.errors?.[0].message).toBe('cannot reach http://fixture:9200 (ECONNREFUSED): check the URL and that the engine is running');
  });

  it('skips empty trace id queries', () => {
    const ds = dataSource(engine());
    expect(ds.filterQuery({ refId: 'A', queryType: 'traceId', query: '  ' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'traceId', query: 'abc' })).toBe(true);
  });
});

/**
 * An engine holding `count` spans of one trace, answering each search with the page its
 * `search_after` and `size` ask for, and moving a clock on by `msPerSearch` for every search.
 */
function pagingEngine(count: number, msPerSearch: number) {
  const clock = { ms: 0 };
  const hits = Array.from({ length: count }, (_, i) => {
    const spanId = (i + 1).toString(16).padStart(16, '0');
    const start = 1715678467000 + i;
    return { _index: 'traces', _id: String(i), _source: { ...spanHit._source, '@timestamp': String(start), span_id: spanId, parent_span_id: i > 0 ? i.toString(16).padStart(16, '0') : undefined }, sort: [start, spanId] as [number, string] };
  });
  const transport = new FixtureTransport((request) => {
    if (request.path === '/') {
      return { version: { number: '2.19.1', distribution: 'opensearch' } };
    }
    if (request.path.includes('/_mapping')) {
      return otelMapping;
    }
    clock.ms += msPerSearch;
    const body = request.body as { size: number; search_after?: [number, string]; query: { bool: { filter: Array<Record<string, unknown>> } } };
    if (body.query.bool.filter.some((clause) => 'exists' in clause)) {
      return { _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: 0, relation: 'eq' }, hits: [] } };
    }
    const after = body.search_after;
    const from = after ? hits.findIndex((hit) => hit.sort[0] > after[0] || (hit.sort[0] === after[0] && hit.sort[1] > after[1])) : 0;
    const page = from < 0 ? [] : hits.slice(from, from + body.size);
    return { _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: count, relation: 'eq' }, hits: page } };
  });
  return { transport, clock };
}

describe('DataSource.query streaming a big trace', () => {
  const traceRequest = () => request({ query: '4bf92f3577b34da6a3ce929d0e0e4736' });
  const spanIds = (response: { data: Array<{ fields: Array<{ name: string; values: unknown[] }> }> }) => response.data[0].fields.find((field) => field.name === 'spanID')!.values;

  it('shows the spans loaded so far, with how many of how many, then the whole trace', async () => {
    const { transport, clock } = pagingEngine(25_000, 600);
    const ds = dataSource(transport);
    ds.streaming = { afterMs: 1000, everyMs: 1000, now: () => clock.ms };
    const responses = await lastValueFrom(ds.query(traceRequest()).pipe(toArray()));
    const partial = responses.slice(0, -1);
    const final = responses[responses.length - 1];
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.every((response) => response.state === 'Streaming')).toBe(true);
    expect(partial.map((response) => response.data[0].meta.notices[0].text)).toEqual(partial.map((response) => `loaded ${spanIds(response).length} of 25000 spans; the rest is loading`));
    const loaded = partial.map((response) => spanIds(response).length);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(Math.max(...loaded)).toBeLessThan(25_000);
    expect(final.state).toBe('Done');
    expect(spanIds(final)).toHaveLength(25_000);
    expect(final.data[0].meta.custom.partial).toBeUndefined();
  });

  it('shows nothing before the whole trace when the query answers within the first second', async () => {
    const { transport } = pagingEngine(25_000, 600);
    const ds = dataSource(transport);
    ds.streaming = { afterMs: 1000, everyMs: 1000, now: () => 0 };
    const responses = await lastValueFrom(ds.query(traceRequest()).pipe(toArray()));
    expect(responses.map((response) => response.state)).toEqual(['Done']);
    expect(spanIds(responses[0])).toHaveLength(25_000);
  });

  it('shows no more often than once a second however fast the pages come', async () => {
    const { transport, clock } = pagingEngine(25_000, 400);
    const ds = dataSource(transport);
    const shownAt: number[] = [];
    ds.streaming = { afterMs: 0, everyMs: 1000, now: () => clock.ms };
    const responses = await lastValueFrom(ds.query(traceRequest()).pipe(tap((response) => response.state === 'Streaming' && shownAt.push(clock.ms)), toArray()));
    expect(responses[responses.length - 1].state).toBe('Done');
    expect(shownAt.length).toBeGreaterThan(0);
    expect(shownAt.every((ms, i) => i === 0 || ms - shownAt[i - 1] >= 1000)).toBe(true);
  });

  it('stops paging and shows nothing more once Grafana unsubscribes', async () => {
    const { transport, clock } = pagingEngine(25_000, 600);
    const ds = dataSource(transport);
    ds.streaming = { afterMs: 0, everyMs: 0, now: () => clock.ms };
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      const subscription = ds.query(traceRequest()).subscribe((response) => {
        seen.push(String(response.state));
        subscription?.unsubscribe();
        resolve();
      });
    });
    const searches = () => transport.requests.filter((r) => r.path.includes('/_search')).length;
    const sentBefore = searches();
    // Let the page asked for ahead arrive and the paging loop run on: it must send nothing more.
    for (let turn = 0; turn < 20; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(seen).toEqual(['Streaming']);
    expect(sentBefore).toBeLessThan(4);
    expect(searches()).toBe(sentBefore);
  });
});

describe('DataSource.testDatasource', () => {
  it('names the engine, the indices and the detected schema with its evidence', async () => {
    const result = await dataSource(engine()).testDatasource();
    expect(result).toEqual({ status: 'success', message: "Connected to OpenSearch 2.19.1. Span index pattern 'traces*': otel in traces (evidence: trace_id, span_id, duration, kind, name)." });
  });

  it('says when the span index pattern matches no index', async () => {
    const result = await dataSource(engine({ mapping: {} })).testDatasource();
    expect(result).toEqual({ status: 'error', message: `Connected to OpenSearch 2.19.1, but index pattern 'traces*' matches no index on http://fixture:9200: check "Span index pattern" in the data source settings, or --index on the command line` });
  });

  it('says when no span index pattern is configured', async () => {
    const result = await dataSource(engine(), {}).testDatasource();
    expect(result.message).toBe('Connected to OpenSearch 2.19.1, but no span index pattern is given: set "Span index pattern" in the data source settings, or --index on the command line (for example traces-*)');
  });

  it('says when the indices hold an unknown layout, listing their fields', async () => {
    const result = await dataSource(engine({ mapping: { spans: { mappings: { properties: { foo: keyword, bar: keyword } } } } })).testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toContain("index pattern 'traces*' holds spans in an unsupported layout; found these fields: spans has foo, bar");
  });

  it('says when the URL is not an engine', async () => {
    const result = await dataSource(engine({ root: { hello: 'world' } })).testDatasource();
    expect(result).toEqual({ status: 'error', message: 'http://fixture:9200 does not look like Elasticsearch or OpenSearch: its root answer has no version number' });
  });

  it('says when a configured schema does not match the data', async () => {
    const result = await dataSource(engine({ mapping: { spans: { mappings: { properties: { traceID: keyword } } } } }), { spanIndex: 'traces*', schema: 'otel' }).testDatasource();
    expect(result.message).toContain("does not look like schema 'otel'");
  });
});

describe('health check over two producers', () => {
  it('reports each index group with its schema and evidence', async () => {
    const jaeger = { mappings: { properties: { traceID: keyword, spanID: keyword, operationName: keyword, startTimeMillis: { type: 'date' }, duration: { type: 'long' } } } };
    const result = await dataSource(engine({ mapping: { ...otelMapping, 'jaeger-span-2024-05-14': jaeger } }), { spanIndex: '*' }).testDatasource();
    expect(result).toEqual({
      status: 'success',
      message: "Connected to OpenSearch 2.19.1. Span index pattern '*': jaeger in jaeger-span-2024-05-14 (evidence: traceID, spanID, operationName, startTimeMillis, duration); otel in traces (evidence: trace_id, span_id, duration, kind, name).",
    });
  });
});

/** An engine holding one trace: answers the three search phases with aggregations. */
function searchEngine() {
  const properties = { ...otelMapping.traces.mappings.properties, attributes: { properties: { http: { properties: { method: keyword } } } }, resource: { properties: { attributes: { properties: { service: { properties: { name: keyword } } } } } } };
  return new FixtureTransport((request) => {
    if (request.path.includes('/_mapping')) {
      return { traces: { mappings: { properties } } };
    }
    const body = request.body as { aggs?: { traces?: { composite?: unknown; terms?: unknown } } };
    const shards = { total: 1, successful: 1, failed: 0 };
    if (body.aggs?.traces?.composite) {
      return { _shards: shards, aggregations: { traces: { buckets: [{ key: { trace: '4bf92f3577b34da6a3ce929d0e0e4736' }, doc_count: 1 }], after_key: { trace: '4bf92f3577b34da6a3ce929d0e0e4736' } } } };
    }
    if (body.aggs?.traces?.terms) {
      const source = spanHit._source;
      const hits = { hits: { hits: [{ _source: source }] } };
      const bucket = { key: '4bf92f3577b34da6a3ce929d0e0e4736', doc_count: 1, start: { value: 1715678467123 }, end: { value: 1715678467165.5 }, errors: { doc_count: 0 }, root: { doc_count: 1, first: hits }, first: hits };
      return { _shards: shards, aggregations: { traces: { buckets: [bucket] } } };
    }
    return { _shards: shards, hits: { hits: [] } };
  });
}

const searchBodies = (transport: FixtureTransport) => transport.requests.filter((r) => r.path.includes('/_search')).map((r) => JSON.stringify(r.body));

describe('DataSource.query with queryType search', () => {
  it('returns the traces table with the summary of each found trace', async () => {
    const response = await lastValueFrom(dataSource(searchEngine()).query(request({ queryType: 'search', service: 'checkout' })));
    expect(response.errors).toBeUndefined();
    const frame = response.data[0];
    expect(frame.fields.map((f: { name: string; values: unknown[] }) => [f.name, f.values[0]])).toEqual([
      ['traceID', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['startTime', 1715678467123],
      ['duration', 42.5],
      ['rootService', 'checkout'],
      ['rootName', 'GET /api/cart'],
      ['spans', 1],
      ['errors', 0],
      ['services', ''],
    ]);
    expect(frame.fields[0].config.links[0].internal).toMatchObject({ datasourceUid: 'es', query: { queryType: 'traceId' } });
  });

  it('searches the dashboard range and adds ad hoc filters as exact attribute terms', async () => {
    const transport = searchEngine();
    await lastValueFrom(dataSource(transport).query({ ...request({ queryType: 'search' }), filters: [{ key: 'http.method', operator: '=', value: 'GET "x"' }] }));
    const [probe, phaseOne] = searchBodies(transport);
    // First the documents no trace's time can hold, under the same filters and no time range.
    expect(probe).toContain('"reasons":{"filters"');
    expect(probe).toContain(JSON.stringify({ term: { 'attributes.http.method': 'GET "x"' } }));
    expect(probe).not.toContain('"range":{"@timestamp"');
    expect(phaseOne).toContain(JSON.stringify({ term: { 'attributes.http.method': 'GET "x"' } }));
    expect(phaseOne).toContain('"range":{"@timestamp":{"gte":1715678400000,"lte":1715682000000,"format":"epoch_millis"}}');
    // Most recent first: candidates ordered by their latest matching span.
    expect(phaseOne).toContain('"order":{"latest":"desc"}');
  });

  it('refuses ad hoc operators other than = with a message', async () => {
    const response = await lastValueFrom(dataSource(searchEngine()).query({ ...request({ queryType: 'search' }), filters: [{ key: 'k', operator: '=~', value: 'v.*' }] }));
    expect(response.errors?.[0].message).toBe("ad hoc filter 'k =~ v.*': only '=' is supported");
  });

  it('names a bad duration or limit without asking the engine to search', async () => {
    const transport = searchEngine();
    const response = await lastValueFrom(dataSource(transport).query(request({ queryType: 'search', minDuration: '5 parsecs', limit: 20 })));
    expect(response.errors?.[0].message).toContain("min duration '5 parsecs' is not a duration");
    const limited = await lastValueFrom(dataSource(transport).query(request({ queryType: 'search', limit: 5000 })));
    expect(limited.errors?.[0].message).toBe("limit '5000' must be a whole number from 1 to 1000");
    expect(searchBodies(transport)).toEqual([]);
  });

  it('answers scatter with one point per trace and histogram with duration buckets', async () => {
    const scatter = await lastValueFrom(dataSource(searchEngine()).query(request({ queryType: 'scatter' })));
    expect(scatter.data[0].fields.map((f: { name: string; values: unknown[] }) => [f.name, f.values[0]])).toEqual([
      ['time', 1715678467123],
      ['duration', 42.5],
      ['error', false],
      ['service', 'checkout'],
      ['name', 'GET /api/cart'],
      ['traceID', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ]);
    const histogram = await lastValueFrom(dataSource(searchEngine()).query(request({ queryType: 'histogram' })));
    expect(histogram.data[0].fields.map((f: { name: string; values: unknown[] }) => [f.name, f.values])).toEqual([['xMin', [32]], ['xMax', [64]], ['count', [1]]]);
  });
});

describe('DataSource template variables and ad hoc keys', () => {
  it('lists attribute keys from the mapping for ad hoc filters', async () => {
    const mapping = { traces: { mappings: { properties: { ...otelMapping.traces.mappings.properties, attributes: { properties: { http: { properties: { method: keyword } } } }, resource: { properties: { attributes: { properties: { service: { properties: { name: keyword } } } } } } } } } };
    const ds = dataSource(engine({ mapping }));
    expect(await ds.getTagKeys()).toEqual([{ text: 'http.method' }, { text: 'service.name' }]);
  });

  it('lists the top values of an attribute for ad hoc filters, over the given range, booleans as true/false', async () => {
    const mapping = { traces: { mappings: { properties: { ...otelMapping.traces.mappings.properties, attributes: { properties: { app: { properties: { vip: { type: 'boolean' } } } } } } } } };
    const transport = new FixtureTransport((request) => {
      if (request.path.includes('/_mapping')) {
        return mapping;
      }
      return { _shards: { total: 1, successful: 1, failed: 0 }, aggregations: { values_0: { buckets: [{ key: 1, key_as_string: 'true' }, { key: 0, key_as_string: 'false' }] } } };
    });
    const range = request({}).range;
    expect(await dataSource(transport).getTagValues({ key: 'app.vip', filters: [], timeRange: range })).toEqual([{ text: 'false' }, { text: 'true' }]);
    const body = JSON.stringify(transport.requests.find((r) => r.path.includes('/_search'))?.body);
    expect(body).toContain('"terms":{"field":"attributes.app.vip","size":100}');
    expect(body).toContain('"gte":1715678400000');
  });

  it('answers a services variable with the services of the range, as text and value', async () => {
    const transport = new FixtureTransport((request) => {
      if (request.path.includes('/_mapping')) {
        return { traces: { mappings: { properties: { ...otelMapping.traces.mappings.properties, resource: { properties: { attributes: { properties: { service: { properties: { name: keyword } } } } } } } } } };
      }
      return { _shards: { total: 1, successful: 1, failed: 0 }, aggregations: { values_0: { buckets: [{ key: 'checkout' }, { key: 'über-café' }] } } };
    });
    const variables = dataSource(transport).variables as EsTracesVariableSupport;
    const variableRequest = { ...request({}), targets: [{ refId: 'v', kind: 'services' as const }] };
    const response = await lastValueFrom(variables.query(variableRequest as never));
    expect(response.data).toEqual([
      { text: 'checkout', value: 'checkout' },
      { text: 'über-café', value: 'über-café' },
    ]);
  });

  it('asks for the service of an operations variable instead of listing everything', async () => {
    await expect(dataSource(engine()).listForVariable({ kind: 'operations' })).rejects.toThrow('choose the service whose operations the variable lists');
  });
});

const logsMapping = { 'app-logs': { mappings: { properties: { '@timestamp': { type: 'date_nanos' }, trace_id: keyword, span_id: keyword, severity_text: keyword, body: { properties: { text: { type: 'text' } } } } } } };
const logHit = { _index: 'app-logs', _id: 'l1', _source: { '@timestamp': '1715678467130.000001', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', severity_text: 'ERROR', body: { text: 'payment failed' }, attributes: { 'retry.count': 2 }, resource: { attributes: { 'service.name': 'checkout' } } } };

/** Spans in `traces`, logs in `app-logs`. */
function logsEngine() {
  return new FixtureTransport((request) => {
    if (request.path.includes('/_mapping')) {
      return request.path.startsWith('/app-logs') ? logsMapping : otelMapping;
    }
    const shards = { total: 1, successful: 1, failed: 0 };
    if (request.path.startsWith('/app-logs')) {
      return { _shards: shards, hits: { hits: [logHit] } };
    }
    return { _shards: shards, hits: { total: { value: 1, relation: 'eq' }, hits: [spanHit] } };
  });
}

describe('DataSource logs', () => {
  const withLogs: EsTracesOptions = { spanIndex: 'traces*', logsIndex: 'app-logs' };

  it('returns a logs frame whose trace ids open this data source\'s trace view', async () => {
    const response = await lastValueFrom(dataSource(logsEngine(), withLogs).query(request({ queryType: 'logs', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' })));
    expect(response.errors).toBeUndefined();
    const frame = response.data[0];
    expect(frame.meta.preferredVisualisationType).toBe('logs');
    expect(frame.fields.map((f: { name: string; values: unknown[] }) => [f.name, f.values[0]])).toEqual([
      ['timestamp', 1715678467130],
      ['body', 'payment failed'],
      ['severity', 'ERROR'],
      ['id', 'app-logs/l1'],
      ['labels', { 'service.name': 'checkout', 'retry.count': '2' }],
      ['traceID', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['spanID', '00f067aa0ba902b7'],
    ]);
    expect(frame.fields[5].config.links[0].internal).toMatchObject({ datasourceUid: 'es', query: { query: '${__value.raw}', queryType: 'traceId' } });
    // The nanoseconds beyond the millisecond ride in `nanos`, as Grafana's frames carry them.
    expect(frame.fields[0].nanos).toEqual([1]);
  });

  it('gives the context of a logs frame row: its exact time, id, service and trace', async () => {
    const frame = (await lastValueFrom(dataSource(logsEngine(), withLogs).query(request({ queryType: 'logs', service: 'checkout' })))).data[0];
    const row = { dataFrame: frame, rowIndex: 0, uid: 'A_0', timeEpochNs: '1715678467130000000', labels: {} } as unknown as LogRowModel;
    expect(logContextRow(row)).toEqual({ timeUnixNano: BigInt('1715678467130000001'), key: 'app-logs/l1', service: 'checkout', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(await dataSource(logsEngine(), withLogs).getLogRowContextQuery(row)).toEqual({ refId: 'log-context', queryType: 'logs', service: 'checkout' });
  });

  it('shows the reason, not a stack trace, when a context cannot be had', async () => {
    const frame = (await lastValueFrom(dataSource(logsEngine(), withLogs).query(request({ queryType: 'logs', service: 'checkout' })))).data[0];
    const row = { dataFrame: { ...frame, fields: frame.fields.filter((field: { name: string }) => field.name !== 'labels') }, rowIndex: 0, uid: 'A_0', timeEpochNs: '1715678467130000000', labels: {} } as unknown as LogRowModel;
    const response = await dataSource(logsEngine(), withLogs).getLogRowContext(row, { direction: LogRowContextQueryDirection.Backward });
    expect(response.data).toEqual([]);
    expect(response.error?.message).toBe('this log line names no service (service.name), so it has no service context: show the context of its trace instead');
  });

  it("searches a span's own time widened by the configured shifts when asked to", async () => {
    const transport = logsEngine();
    const options = { ...withLogs, tracesToLogsV2: { spanStartTimeShift: '-1s', spanEndTimeShift: '2s' } };
    await lastValueFrom(dataSource(transport, options).query(request({ queryType: 'logs', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', spanWindow: true })));
    const logsSearch = transport.requests.filter((r) => r.path.startsWith('/app-logs') && r.path.includes('/_search'))[0];
    // The span starts at ...467123.456789 ms and lasts 42.5 ms: [start - 1 s, end + 2 s], in whole ms.
    expect(JSON.stringify(logsSearch.body)).toContain('"range":{"@timestamp":{"gte":1715678466123,"lte":1715678469165,"format":"epoch_millis"}}');
  });

  it('puts "Logs for this span" on the spans of a trace when this data source holds the logs', async () => {
    const frame = (await lastValueFrom(dataSource(logsEngine(), withLogs).query(request({ query: '4bf92f3577b34da6a3ce929d0e0e4736' })))).data[0];
    const spanId = frame.fields.find((f: { name: string }) => f.name === 'spanID');
    expect(spanId.config.links).toEqual([
      { title: 'Logs for this span', url: '', internal: { datasourceUid: 'es', datasourceName: 'ES Traces', query: { refId: 'logs', queryType: 'logs', traceId: '${__span.traceId}', spanId: '${__span.spanId}', spanWindow: true } } },
    ]);
    const elsewhere = (await lastValueFrom(dataSource(logsEngine(), { ...withLogs, tracesToLogsV2: { datasourceUid: 'other-es' } }).query(request({ query: '4bf92f3577b34da6a3ce929d0e0e4736' })))).data[0];
    expect(elsewhere.fields.find((f: { name: string }) => f.name === 'spanID').config.links).toBeUndefined();
  });

  it('asks Explore for the log volume of logs queries only', () => {
    const ds = dataSource(logsEngine(), withLogs);
    expect(ds.getSupplementaryQuery({ type: SupplementaryQueryType.LogsVolume }, { refId: 'A', queryType: 'logs', service: 'checkout' })).toEqual({ refId: 'log-volume-A', queryType: 'logs', service: 'checkout', logsVolume: true });
    expect(ds.getSupplementaryQuery({ type: SupplementaryQueryType.LogsVolume }, { refId: 'A', queryType: 'search' })).toBeUndefined();
  });

  it('answers a supplementary logs volume request with the volume of the visible logs queries only', () => {
    const ds = dataSource(logsEngine(), withLogs);
    const original = { ...request({ queryType: 'logs', service: 'checkout' }) };
    original.targets = [...original.targets, { refId: 'B', queryType: 'logs', hide: true }, { refId: 'C', queryType: 'search' }];
    expect(ds.getSupplementaryRequest(SupplementaryQueryType.LogsVolume, original)).toEqual({ ...original, targets: [{ refId: 'log-volume-A', queryType: 'logs', service: 'checkout', logsVolume: true }] });
    expect(ds.getSupplementaryRequest(SupplementaryQueryType.LogsSample, original)).toBeUndefined();
    expect(ds.getSupplementaryRequest(SupplementaryQueryType.LogsVolume, request({ queryType: 'search' }))).toBeUndefined();
  });

  it('names a logs index without a trace id field in the health check', async () => {
    const transport = new FixtureTransport((r) => (r.path === '/' ? { version: { number: '2.19.1', distribution: 'opensearch' } } : r.path.startsWith('/plain') ? { plain: { mappings: { properties: { '@timestamp': { type: 'date' }, message: { type: 'text' } } } } } : otelMapping));
    const result = await dataSource(transport, { spanIndex: 'traces*', logsIndex: 'plain' }).testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toContain("logs index pattern 'plain' holds no logs with a trace id field (looked for");
    expect(result.message).toContain('found these fields: plain has @timestamp, message');
  });

  it('names a trace-to-logs target that Grafana cannot query for logs', async () => {
    const result = await dataSource(engine(), { spanIndex: 'traces*', tracesToLogsV2: { datasourceUid: 'prom-uid' } }).testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toContain("the trace-to-logs data source 'Metrics' is of type prometheus; Grafana's trace view builds logs queries only for Loki, Elasticsearch, OpenSearch, Splunk, Falcon LogScale, Google Cloud Logging and VictoriaLogs data sources (or this one)");
  });

  it('accepts a Loki data source as the trace-to-logs target', async () => {
    const result = await dataSource(engine(), { spanIndex: 'traces*', tracesToLogsV2: { datasourceUid: 'loki-uid' } }).testDatasource();
    expect(result).toMatchObject({ status: 'success' });
  });
});

/**
 * A transport whose answers to chosen requests wait until the test lets them go, and which
 * rejects a waiting request as cancelled when its signal aborts, as both real transports do.
 */
class GatedTransport implements EngineTransport {
  readonly description = 'http://fixture:9200';
  readonly requests: EngineRequest[] = [];
  private readonly gatedRequests: EngineRequest[] = [];
  private readonly releases: Array<() => void> = [];
  private arrived: () => void = () => undefined;

  constructor(
    private readonly gated: (request: EngineRequest) => boolean,
    private readonly answer: (request: EngineRequest) => unknown = (request) => engine().request(request)
  ) {}

  async request<T>(request: EngineRequest): Promise<T> {
    this.requests.push(request);
    if (this.gated(request)) {
      await new Promise<void>((release, reject) => {
        this.releases.push(release);
        request.signal?.addEventListener('abort', () => reject(new EngineError('cancelled', 'the request to http://fixture:9200 was cancelled')));
        this.gatedRequests.push(request);
        this.arrived();
      });
    }
    return (await this.answer(request)) as T;
  }

  /** The n-th gated request (1-based), once it has arrived. */
  gatedRequest(n: number): Promise<EngineRequest> {
    return new Promise((resolve) => {
      const check = () => this.gatedRequests.length >= n && resolve(this.gatedRequests[n - 1]);
      this.arrived = check;
      check();
    });
  }

  releaseAll(): void {
    this.releases.splice(0).forEach((release) => release());
  }
}

/** Lets every promise reaction already due run: what a cancelled pipeline still does is done by then. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('DataSource.query cancellation', () => {
  it('aborts the request in flight when Grafana unsubscribes, sends no further request and emits neither data nor an error', async () => {
    const transport = new GatedTransport((r) => r.path.includes('/_search'));
    const seen: string[] = [];
    const subscription = dataSource(transport).query(request({ query: '4bf92f3577b34da6a3ce929d0e0e4736' })).subscribe({
      next: () => seen.push('next'),
      error: () => seen.push('error'),
      complete: () => seen.push('complete'),
    });
    const search = await transport.gatedRequest(1);
    const sent = transport.requests.length;
    subscription.unsubscribe();
    expect(search.signal?.aborted).toBe(true);
    transport.releaseAll();
    // Every later request of the cancelled query is refused before it reaches the transport.
    await settle();
    expect(transport.requests).toHaveLength(sent);
    expect(seen).toEqual([]);
  });

  it('lets the query that replaced a cancelled one finish, though both waited on the same index detection', async () => {
    const transport = new GatedTransport((r) => r.path.includes('/_mapping') && !r.signal?.aborted);
    const ds = dataSource(transport);
    const first = ds.query(request({ query: '4bf92f3577b34da6a3ce929d0e0e4736' })).subscribe();
    await transport.gatedRequest(1);
    const second = lastValueFrom(ds.query(request({ query: '4bf92f3577b34da6a3ce929d0e0e4736' })));
    first.unsubscribe();
    // The second query asks for the mapping again with its own client; this time it is answered.
    const retried = await transport.gatedRequest(2);
    expect(retried.signal?.aborted).toBe(false);
    transport.releaseAll();
    const response = await second;
    expect(response.errors).toBeUndefined();
    expect(response.data[0].fields.find((field: { name: string }) => field.name === 'spanID').values).toEqual(['00f067aa0ba902b7']);
  });
});

describe('DataSource.query with queryType traceStats', () => {
  it('returns the statistics table of the trace the interpolated id names, fetched as the trace view fetches it', async () => {
    const transport = engine();
    const response = await lastValueFrom(dataSource(transport).query(request({ queryType: 'traceStats', query: '$traceId', useTimeRange: true, statsGroupBy: 'service' })));
    expect(response.errors).toBeUndefined();
    const frame = response.data[0];
    expect([frame.name, frame.refId, frame.meta.preferredVisualisationType, frame.meta.custom.traceId]).toEqual(['Trace statistics', 'A', 'table', '4bf92f3577b34da6a3ce929d0e0e4736']);
    expect(frame.fields.map((field: { name: string; values: unknown[] }) => [field.name, field.values[0]]).slice(0, 4)).toEqual([
      ['service', 'checkout'],
      ['spans', 1],
      ['total', 42.5],
      ['avg', 42.5],
    ]);
    const searches = transport.requests.filter((r) => r.path.includes('/_search'));
    expect(JSON.stringify(searches[0].body)).toContain('"range":{"@timestamp":{"gte":1715678400000,"lte":1715682000000,"format":"epoch_millis"}}');
  });

  it('says a trace was not found, with an empty table and no error', async () => {
    const response = await lastValueFrom(dataSource(engine({ hits: [] })).query(request({ queryType: 'traceStats', query: 'abcdef0123456789abcdef0123456789' })));
    expect(response.errors).toBeUndefined();
    expect(response.data[0].length).toBe(0);
    expect(response.data[0].meta.notices[0]).toEqual({ severity: 'info', text: 'trace abcdef0123456789abcdef0123456789 not found in traces' });
  });

  it('names a grouping without a key before asking the engine anything', async () => {
    const transport = engine();
    const response = await lastValueFrom(dataSource(transport).query(request({ queryType: 'traceStats', query: '4bf92f3577b34da6a3ce929d0e0e4736', statsGroupBy: 'attribute:' })));
    expect(response.errors).toEqual([{ refId: 'A', message: "group by 'attribute:' names no attribute: give service, operation or an attribute key" }]);
    expect(transport.requests).toEqual([]);
  });

  it('skips queries without a trace id, as for a trace by id', () => {
    const ds = dataSource(engine());
    expect(ds.filterQuery({ refId: 'A', queryType: 'traceStats', query: '' })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', queryType: 'traceStats', query: 'abc' })).toBe(true);
  });
});
