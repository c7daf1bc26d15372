import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { DataSource } from '../../../src/datasource/DataSource';
import type { EngineRequest, EngineTransport } from '../../../src/engine/transport';
import type { EsTracesOptions, EsTracesQuery } from '../../../src/types';
import { OTEL_CORE_PROPERTIES } from '../referenceSpan';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace: (text: string) => text.replace('$kind', 'server').replace('$group', 'service') }),
}));

const keyword = { type: 'keyword' };
const mapping = {
  traces: {
    mappings: {
      properties: {
        ...OTEL_CORE_PROPERTIES,
        resource: { properties: { attributes: { properties: { 'service.name': keyword } } } },
      },
    },
  },
};
const SHARDS = { total: 1, successful: 1, failed: 0 };
const FROM_MS = 1715678400000;
const TO_MS = 1715682000000;
const measures = { errors: { doc_count: 1 }, duration: { values: { '50.0': 2e6, '90.0': 4e6, '99.0': 8e6, '95.0': 6e6 } } };

/** Answers the mapping and the one aggregation request, recording the requests. */
class MetricsEngine implements EngineTransport {
  readonly description = 'http://fixture:9200';
  readonly searches: Array<Record<string, unknown>> = [];
  async request<T>(request: EngineRequest): Promise<T> {
    if (request.path.includes('/_mapping')) {
      return mapping as T;
    }
    const body = request.body as Record<string, unknown>;
    this.searches.push(body);
    const service = { key: 'checkout', doc_count: 4, ...measures };
    if ('time' in (body.aggs as object)) {
      return { took: 1, _shards: SHARDS, aggregations: { time: { buckets: [{ key: FROM_MS, doc_count: 4, by_0: { buckets: [service] }, none: { doc_count: 0 } }] } } } as T;
    }
    return { took: 1, _shards: SHARDS, aggregations: { by_0: { buckets: [{ key: 'checkout', doc_count: 4, by_0: { buckets: [{ ...service, key: 'GET /cart' }] }, none: { doc_count: 0 } }] }, none: { doc_count: 0 } } } as T;
  }
}

function run(target: Partial<EsTracesQuery>, engine = new MetricsEngine()) {
  const settings = { id: 1, uid: 'es', name: 'ES Traces', type: 'estraces-otel-datasource', url: '/api/datasources/proxy/uid/es', jsonData: { spanIndex: 'traces*' }, meta: {} } as unknown as DataSourceInstanceSettings<EsTracesOptions>;
  const range = { from: dateTime(FROM_MS), to: dateTime(TO_MS), raw: { from: 'now-1h', to: 'now' } };
  const request = { targets: [{ refId: 'A', queryType: 'metrics', ...target }], range, scopedVars: {}, requestId: 'r', interval: '1s', intervalMs: 1000, timezone: 'utc', app: 'dashboard', startTime: 0 } as unknown as DataQueryRequest<EsTracesQuery>;
  return { engine, response: lastValueFrom(new DataSource(settings, engine).query(request)) };
}

describe('DataSource.query with queryType metrics', () => {
  it('asks for the interpolated kind and grouping at the panel interval, widened to fit the range, and returns one series per statistic', async () => {
    const { engine, response } = run({ kind: '$kind', metricsGroupBy: '$group' });
    const { data, errors } = await response;
    expect(errors).toBeUndefined();
    const body = JSON.stringify(engine.searches[0]);
    expect(body).toContain(JSON.stringify({ terms: { kind: ['server', 'Server', 'SERVER', 'SPAN_KIND_SERVER'] } }));
    // An hour at the panel's 1 s would be 3,600 intervals: widened to 2 s, 1,800 of them.
    expect(body).toContain('"fixed_interval":"2000ms"');
    expect(data.map((frame: { name: string }) => frame.name)).toEqual(['checkout requests/s', 'checkout error rate', 'checkout p50', 'checkout p90', 'checkout p99']);
    expect(data[0].fields[1].values).toEqual([2]);
  });

  it('returns the operations table when asked, linking operations to their slowest traces', async () => {
    const { data } = await run({ metricsTable: true, service: 'checkout' }).response;
    expect(data).toHaveLength(1);
    expect(data[0].fields.map((field: { values: unknown[] }) => field.values[0])).toEqual(['checkout', 'GET /cart', 4 / 3600, 0.25, 2, 6, 8]);
    expect(data[0].fields[1].config.links[0].internal.query).toMatchObject({ queryType: 'search', sort: 'slowest' });
  });

  it('names a kind it does not know, without asking the engine', async () => {
    const { engine, response } = run({ kind: 'serverside' });
    expect((await response).errors).toEqual([{ refId: 'A', message: "span kind 'serverside' is not one of server, client, producer, consumer, internal" }]);
    expect(engine.searches).toEqual([]);
  });
});
