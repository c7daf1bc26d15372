import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { DataSource } from '../../../src/datasource/DataSource';
import type { EngineRequest, EngineTransport } from '../../../src/engine/transport';
import { JAEGER_SPAN_MAPPING, spanToJaegerDocument } from '../../../src/proto/jaeger';
import type { LogicalSpan } from '../../../src/proto/model';
import type { EsTracesOptions, EsTracesQuery } from '../../../src/types';
import { referenceSpan } from '../referenceSpan';

const TRACE = referenceSpan.traceId;
const OTHER = '0af7651916cd43dd8448eb211c80319c';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace: (text: string) => text.replace('$traceId', '0af7651916cd43dd8448eb211c80319c') }),
}));

const span = (traceId: string, spanId: string, parentSpanId: string | undefined, serviceName: string): LogicalSpan => ({
  ...referenceSpan,
  traceId,
  spanId,
  parentSpanId,
  serviceName,
  resourceAttributes: { 'service.name': serviceName, 'host.name': `${serviceName}-1` },
});
const spans = [span(TRACE, '00000000000000a1', undefined, 'web'), span(TRACE, '00000000000000b2', '00000000000000a1', 'api')];
const documents = spans.map(spanToJaegerDocument);

/** Jaeger query's answer for the same spans: each process listed once, named by processID. */
function jaegerAnswer(traceId: string) {
  const processes = Object.fromEntries(documents.map((document, i) => [`p${i + 1}`, document.process]));
  return { data: [{ traceID: traceId, spans: documents.map(({ process: _process, ...document }, i) => ({ ...document, traceID: traceId, processID: `p${i + 1}` })), processes, warnings: null }] };
}

/** Jaeger's span index with the same documents, recording what is asked of it. */
class JaegerEngine implements EngineTransport {
  readonly description = 'http://fixture:9200';
  readonly requests: EngineRequest[] = [];
  async request<T>(request: EngineRequest): Promise<T> {
    this.requests.push(request);
    if (request.path.includes('/_mapping')) {
      return { 'jaeger-span-2024-05-14': { mappings: JAEGER_SPAN_MAPPING } } as T;
    }
    const hits = documents.map((document, i) => ({ _index: 'jaeger-span-2024-05-14', _id: String(i), _source: document, sort: [i] }));
    return { _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: hits.length, relation: 'eq' }, hits } } as T;
  }
}

function dataSource(engine: EngineTransport, jsonData: EsTracesOptions = {}) {
  const settings = { id: 1, uid: 'es', name: 'ES Traces', type: 'estraces-otel-datasource', url: '/api/datasources/proxy/uid/es', jsonData: { spanIndex: 'jaeger-span-*', ...jsonData }, meta: {} } as unknown as DataSourceInstanceSettings<EsTracesOptions>;
  return new DataSource(settings, engine);
}

function run(datasource: DataSource, target: Partial<EsTracesQuery>) {
  const range = { from: dateTime(1715678400000), to: dateTime(1715682000000), raw: { from: 'now-1h', to: 'now' } };
  const request = { targets: [{ refId: 'A', ...target }], range, scopedVars: {}, requestId: 'r', interval: '1s', intervalMs: 1000, timezone: 'utc', app: 'explore', startTime: 0 } as unknown as DataQueryRequest<EsTracesQuery>;
  return lastValueFrom(datasource.query(request));
}

describe('DataSource.query with queryType upload', () => {
  it('shows the imported trace as the very frames of the same trace read from the engine, node graph included', async () => {
    const engine = new JaegerEngine();
    const datasource = dataSource(engine, { nodeGraph: { enabled: true } });
    const fromEngine = await run(datasource, { queryType: 'traceId', query: TRACE });
    const searches = engine.requests.length;
    datasource.uploadedJson = JSON.stringify(jaegerAnswer(TRACE));
    const imported = await run(datasource, { queryType: 'upload' });
    expect(imported.errors).toBeUndefined();
    expect(imported.data.map((frame: { meta: { preferredVisualisationType: string } }) => frame.meta.preferredVisualisationType)).toEqual(['trace', 'nodeGraph', 'nodeGraph']);
    expect(imported.data[0].length).toBe(2);
    expect(imported.data).toEqual(fromEngine.data);
    expect(engine.requests).toHaveLength(searches);
  });

  it('shows the trace the interpolated query names, with a notice naming the others of the file', async () => {
    const datasource = dataSource(new JaegerEngine());
    datasource.uploadedJson = JSON.stringify({ data: [...jaegerAnswer(TRACE).data, ...jaegerAnswer(OTHER).data] });
    const { data, errors } = await run(datasource, { queryType: 'upload', query: '$traceId' });
    expect(errors).toBeUndefined();
    expect(data[0].fields.find((field: { name: string }) => field.name === 'traceID').values).toEqual([OTHER, OTHER]);
    expect(data[0].meta.notices).toEqual([{ severity: 'info', text: `the file holds 2 traces; showing ${OTHER}. The others: ${TRACE} (give a trace id to show one of them)` }]);
  });

  it('shows nothing before a file is chosen, and asks the engine nothing', async () => {
    const engine = new JaegerEngine();
    const response = await run(dataSource(engine), { queryType: 'upload' });
    expect(response).toEqual({ data: [], state: 'Done' });
    expect(engine.requests).toEqual([]);
  });

  it('says what is wrong with a file that holds no trace as a message on the query, not a stack trace', async () => {
    const datasource = dataSource(new JaegerEngine());
    datasource.uploadedJson = '{"traces": []}';
    const { data, errors } = await run(datasource, { queryType: 'upload' });
    expect(data).toEqual([]);
    expect(errors).toEqual([{ refId: 'A', message: expect.stringMatching(/^the file is not a trace file: expected OTLP\/JSON .*; it holds an object with the keys traces$/) }]);
  });
});
