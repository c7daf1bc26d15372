/**
 * What Explore asks of the built bundle for logs: the full-range volume through
 * `getSupplementaryRequest` (Explore sends a volume query only to data sources that have it), and
 * the lines around a line through `getLogRowContext`, answered through Grafana's proxy transport.
 */
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as rxjs from 'rxjs';

import { bundledDataSource } from './loadBundle';

interface Sent {
  url: string;
  data?: Record<string, unknown>;
}

const keyword = { type: 'keyword' };
const MAPPING = { logs: { mappings: { properties: { '@timestamp': { type: 'date_nanos' }, trace_id: keyword, span_id: keyword, severity_text: keyword, body: { properties: { text: { type: 'text' } } }, resource: { properties: { attributes: { properties: { 'service.name': keyword } } } } } } } };
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const hit = (id: string, at: string, body: string) => ({ _index: 'logs', _id: id, _source: { '@timestamp': at, trace_id: TRACE, span_id: '00f067aa0ba902b7', severity_text: 'INFO', body: { text: body }, resource: { attributes: { 'service.name': 'checkout' } } } });
/** Three lines of one service; the middle one is the line whose context is asked for. */
const LINES = [hit('c', '2024-05-14T09:21:07.125000300Z', 'after'), hit('b', '2024-05-14T09:21:07.124000200Z', 'the line'), hit('a', '2024-05-14T09:21:07.123000100Z', 'before')];

/** An engine behind Grafana's proxy that answers the mapping, volume aggregations and line searches, and records what it was sent. */
function engine(sent: Sent[]) {
  const fetch = (request: Sent) => {
    sent.push(request);
    const path = request.url.replace('/api/datasources/proxy/uid/es', '').split('?')[0];
    if (path.endsWith('/_mapping')) {
      return rxjs.of({ data: MAPPING, status: 200 });
    }
    const shards = { total: 1, successful: 1, failed: 0 };
    if (request.data?.aggs) {
      const buckets = [{ key: 1715678460000, doc_count: 3, severity: { buckets: [{ key: 'INFO', doc_count: 2 }, { key: 'ERROR', doc_count: 1 }] } }];
      return rxjs.of({ data: { took: 1, _shards: shards, hits: { total: { value: 3, relation: 'eq' }, hits: [] }, aggregations: { volume: { buckets } } }, status: 200 });
    }
    const sort = JSON.stringify(request.data?.sort ?? []);
    const hits = sort.includes('"asc"') ? [...LINES].reverse() : LINES;
    return rxjs.of({ data: { took: 1, _shards: shards, hits: { total: { value: hits.length, relation: 'eq' }, hits } }, status: 200 });
  };
  return { ...grafanaRuntime, getBackendSrv: () => ({ fetch }), getTemplateSrv: () => ({ replace: (text?: string) => text ?? '' }) };
}

const range = { from: grafanaData.dateTime(1715678400000), to: grafanaData.dateTime(1715682000000), raw: { from: 'now-1h', to: 'now' } };
const request = (targets: object[]) => ({ targets, range, scopedVars: {}, requestId: 'r', interval: '1m', intervalMs: 60000, timezone: 'utc', app: 'explore', startTime: 0 }) as unknown as grafanaData.DataQueryRequest;
const run = async (ds: grafanaData.DataSourceApi, req: grafanaData.DataQueryRequest) => rxjs.lastValueFrom(ds.query(req) as rxjs.Observable<grafanaData.DataQueryResponse>);

type LogsDataSource = grafanaData.DataSourceApi & grafanaData.DataSourceWithSupplementaryQueriesSupport<grafanaData.DataQuery> & grafanaData.DataSourceWithLogsContextSupport;

describe('dist/module.js in Explore logs', () => {
  it("answers getSupplementaryRequest with the volume of each logs query, which Explore's gate and refId matching accept", async () => {
    const sent: Sent[] = [];
    const ds = bundledDataSource(engine(sent), { spanIndex: 'traces*', logsIndex: 'logs' }) as LogsDataSource;
    // Explore's own gate for asking a data source for its log volume.
    expect('getSupplementaryRequest' in ds).toBe(true);
    expect(grafanaData.hasSupplementaryQuerySupport(ds, grafanaData.SupplementaryQueryType.LogsVolume)).toBe(true);
    const original = request([
      { refId: 'A', queryType: 'logs', service: 'checkout' },
      { refId: 'B', queryType: 'search', service: 'checkout' },
    ]);
    const volume = ds.getSupplementaryRequest!(grafanaData.SupplementaryQueryType.LogsVolume, original)!;
    expect(volume.targets).toEqual([{ refId: 'log-volume-A', queryType: 'logs', service: 'checkout', logsVolume: true }]);
    expect(ds.getSupplementaryRequest!(grafanaData.SupplementaryQueryType.LogsVolume, request([{ refId: 'B', queryType: 'search' }]))).toBeUndefined();

    const response = await run(ds, volume);
    expect(response.errors).toBeUndefined();
    expect(response.data.map((frame: grafanaData.DataFrame) => [frame.refId, frame.fields[1].labels, frame.fields[1].values])).toEqual([
      ['log-volume-A', { level: 'error' }, [1]],
      ['log-volume-A', { level: 'info' }, [2]],
    ]);
    expect(response.data[0].meta?.custom?.logsVolumeType).toBe(grafanaData.LogsVolumeType.FullRange);
    const aggregation = sent.find((s) => s.data?.aggs)!;
    expect(JSON.stringify(aggregation.data?.query)).toContain('"resource.attributes.service.name":"checkout"');
  });

  it('answers getLogRowContext with the lines before and after a line of the logs frame, never the line itself', async () => {
    const sent: Sent[] = [];
    const ds = bundledDataSource(engine(sent), { spanIndex: 'traces*', logsIndex: 'logs' }) as LogsDataSource;
    expect(grafanaData.hasLogsContextSupport(ds)).toBe(true);
    const [frame] = (await run(ds, request([{ refId: 'A', queryType: 'logs', service: 'checkout' }]))).data as grafanaData.DataFrame[];
    const bodies = frame.fields.find((field) => field.name === 'body')!.values;
    const rowIndex = bodies.indexOf('the line');
    const row = { dataFrame: frame, rowIndex, uid: 'A_1', timeEpochNs: '1715678467124000000', timeEpochMs: 1715678467124, labels: {} } as unknown as grafanaData.LogRowModel;

    sent.length = 0;
    const before = await ds.getLogRowContext(row, { direction: grafanaData.LogRowContextQueryDirection.Backward, limit: 10 });
    expect(before.errors).toBeUndefined();
    expect(before.data[0].fields.find((field: grafanaData.Field) => field.name === 'body').values).toEqual(['before']);
    const after = await ds.getLogRowContext(row, { direction: grafanaData.LogRowContextQueryDirection.Forward, limit: 10 });
    expect(after.data[0].fields.find((field: grafanaData.Field) => field.name === 'body').values).toEqual(['after']);
    // Same service, older lines newest first and newer lines oldest first, so a limit keeps the nearest.
    const searches = sent.filter((s) => s.url.includes('_search')).map((s) => JSON.stringify(s.data));
    expect(searches.map((body) => body.includes('"resource.attributes.service.name":"checkout"'))).toEqual([true, true]);
    expect(searches.map((body) => (body.includes('"order":"desc"') ? 'desc' : 'asc'))).toEqual(['desc', 'asc']);

    // The query the context view opens beside the logs, and its switch to the line's trace.
    expect(await ds.getLogRowContextQuery!(row)).toEqual({ refId: 'log-context', queryType: 'logs', service: 'checkout' });
    expect(ds.getLogRowContextUi!(row, () => undefined)).toBeTruthy();
  });
});
