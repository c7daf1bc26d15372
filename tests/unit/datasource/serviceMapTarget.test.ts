import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { DataSource } from '../../../src/datasource/DataSource';
import type { EngineRequest, EngineTransport } from '../../../src/engine/transport';
import type { LogicalSpan } from '../../../src/proto/model';
import { resolveSchemas } from '../../../src/proto/detect';
import { otelSchema, otelTemplateMapping } from '../../../src/proto/otel';
import { serviceMap } from '../../../src/query/serviceMap';
import type { EsTracesOptions, EsTracesQuery } from '../../../src/types';
import { referenceSpan } from '../referenceSpan';

const SHARDS = { total: 1, successful: 1, failed: 0 };
const FROM_MS = 1715678400000;
const TO_MS = 1715682000000;
const span = (spanId: string, parentSpanId: string | undefined, serviceName: string, kind: LogicalSpan['kind'], attributes = {}): LogicalSpan => ({
  ...referenceSpan,
  traceId: 'ab'.repeat(16),
  spanId,
  parentSpanId,
  serviceName,
  kind,
  statusCode: 0,
  attributes,
  events: [],
  resourceAttributes: { 'service.name': serviceName },
});
const spans = [span('0000000000000001', undefined, 'web', 'server'), span('0000000000000002', '0000000000000001', 'web', 'client'), span('0000000000000003', '0000000000000002', 'api', 'server'), span('0000000000000004', '0000000000000003', 'api', 'client', { 'db.system': 'redis' })];
const hits = otelSchema.writeSpans(spans, 'traces').map((written, i) => ({ _index: 'traces', _id: String(i), _source: written.document, sort: [i] }));

/** Answers the mapping, the node statistics aggregation and the one page of spans, recording the requests. */
class MapEngine implements EngineTransport {
  readonly description = 'http://fixture:9200';
  readonly searches: Array<Record<string, unknown>> = [];
  async request<T>(request: EngineRequest): Promise<T> {
    if (request.path.includes('/_mapping')) {
      return { traces: { mappings: otelTemplateMapping('spans') } } as T;
    }
    const body = request.body as Record<string, unknown>;
    this.searches.push(body);
    if (body.aggs) {
      const bucket = (key: string) => ({ key, doc_count: 2, entry: { doc_count: 1, errors: { doc_count: 0 }, duration: { values: { '50.0': 42.5e6, '95.0': 42.5e6 } } } });
      return { took: 1, _shards: SHARDS, hits: { total: { value: 4, relation: 'eq' }, hits: [] }, aggregations: { services: { buckets: [bucket('api'), bucket('web')] } } } as T;
    }
    return { took: 1, _shards: SHARDS, hits: { total: { value: 4, relation: 'eq' }, hits } } as T;
  }
}

function run(jsonData: Partial<EsTracesOptions> = {}) {
  const engine = new MapEngine();
  const settings = { id: 1, uid: 'es', name: 'ES Traces', type: 'estraces-otel-datasource', url: '/api/datasources/proxy/uid/es', jsonData: { spanIndex: 'traces*', ...jsonData }, meta: {} } as unknown as DataSourceInstanceSettings<EsTracesOptions>;
  const range = { from: dateTime(FROM_MS), to: dateTime(TO_MS), raw: { from: 'now-1h', to: 'now' } };
  const request = { targets: [{ refId: 'A', queryType: 'serviceMap' }], range, scopedVars: {}, requestId: 'r', interval: '1s', intervalMs: 1000, timezone: 'utc', app: 'dashboard', startTime: 0 } as unknown as DataQueryRequest<EsTracesQuery>;
  return { engine, response: lastValueFrom(new DataSource(settings, engine).query(request)) };
}

describe('DataSource.query with queryType serviceMap', () => {
  it('returns the node graph frames: services, the peer a client span names, and the calls', async () => {
    const { data, errors } = await run().response;
    expect(errors).toBeUndefined();
    expect(data.map((frame: { name: string }) => frame.name)).toEqual(['Nodes', 'Edges']);
    expect(data[0].fields[0].values).toEqual(['api', 'web', 'peer:redis']);
    expect(data[1].fields[0].values).toEqual(['api->peer:redis', 'web->api']);
    expect(data[0].meta.notices).toEqual([]);
  });

  it('joins a sample of traces once the range holds more spans than the setting allows, and says so', async () => {
    const { engine, response } = run({ serviceMap: { maxSpans: 2 } });
    const { data } = await response;
    expect(JSON.stringify(engine.searches[1])).toContain('"regexp"');
    expect(data[0].meta.notices[0].text).toMatch(/^edges and peers from a sample of 50\.0% of the traces/);
  });
});

describe('service map progress while the join pages', () => {
  /** Three traces of the four spans above, answered a page at a time by each request's size and search_after. */
  const traceIds = ['ab'.repeat(16), 'cd'.repeat(16), 'ef'.repeat(16)];
  const manyHits = traceIds.flatMap((traceId, t) => otelSchema.writeSpans(spans.map((s) => ({ ...s, traceId })), 'traces').map((written, i) => ({ _index: 'traces', _id: `${t}-${i}`, _source: written.document, sort: [t * 4 + i] })));
  const searcher = {
    async search(_indices: string, body: Record<string, unknown>) {
      if (body.aggs) {
        const bucket = (key: string) => ({ key, doc_count: 6, entry: { doc_count: 3, errors: { doc_count: 0 }, duration: { values: { '50.0': 42.5e6, '95.0': 42.5e6 } } } });
        return { took: 1, _shards: SHARDS, hits: { total: { value: manyHits.length, relation: 'eq' }, hits: [] }, aggregations: { services: { buckets: [bucket('api'), bucket('web')] } } };
      }
      const after = (body.search_after as number[] | undefined)?.[0] ?? -1;
      return { took: 1, _shards: SHARDS, hits: { total: { value: manyHits.length, relation: 'eq' }, hits: manyHits.filter((hit) => hit.sort[0] > after).slice(0, body.size as number) } };
    },
  };

  it('tells after each page how many spans are joined of how many, with the map of those so far', async () => {
    const resolution = resolveSchemas('traces*', { traces: { mappings: otelTemplateMapping('spans') } });
    const seen: Array<{ joined: number; expected: number; calls: number }> = [];
    const window = { fromNs: BigInt(FROM_MS) * BigInt(1e6), toNs: BigInt(TO_MS) * BigInt(1e6) };
    const final = await serviceMap(searcher, {
      resolution,
      window,
      pageSize: 5,
      onProgress: (progress) => seen.push({ joined: progress.joined, expected: progress.expected, calls: progress.map().edges.reduce((sum, edge) => sum + edge.calls, 0) }),
    });
    const finalCalls = final.edges.reduce((sum, edge) => sum + edge.calls, 0);
    expect(finalCalls).toBe(6);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.map((step) => step.joined)).toEqual([...seen.map((step) => step.joined)].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toEqual({ joined: 12, expected: 12, calls: finalCalls });
    expect(seen[0].calls).toBeLessThan(finalCalls);
  });
});
