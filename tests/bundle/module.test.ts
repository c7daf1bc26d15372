/**
 * The production bundle as Grafana loads it: an AMD module whose dependencies are Grafana's own
 * packages. Evaluating dist/module.js with those packages must give the data source plugin with
 * its editors, and a data source that answers a health check through the proxy transport.
 */
import * as fs from 'fs';
import * as path from 'path';

import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as rxjs from 'rxjs';

import { loadBundle } from './loadBundle';

describe('dist/module.js', () => {
  it('defines the data source plugin with its config and query editors', () => {
    const { plugin } = loadBundle() as { plugin: grafanaData.DataSourcePlugin<grafanaData.DataSourceApi> };
    expect(plugin).toBeInstanceOf(grafanaData.DataSourcePlugin);
    expect(plugin.components.ConfigEditor).toBeDefined();
    expect(plugin.components.QueryEditor).toBeDefined();
    expect(plugin.DataSourceClass.name).toBeTruthy();
  });

  it('checks its health through the proxy URL it was given', async () => {
    const urls: string[] = [];
    const answers: Record<string, unknown> = {
      '/': { version: { number: '2.19.1', distribution: 'opensearch' } },
      '/traces*/_mapping': { traces: { mappings: { properties: { trace_id: { type: 'keyword' }, span_id: { type: 'keyword' }, name: { type: 'keyword' }, kind: { type: 'keyword' }, duration: { type: 'long' } } } } },
    };
    const fetch = (request: { url: string }) => {
      urls.push(request.url);
      const path = request.url.replace('/api/datasources/proxy/uid/es', '').split('?')[0];
      return rxjs.of({ data: answers[path], status: 200 });
    };
    const { plugin } = loadBundle({ ...grafanaRuntime, getBackendSrv: () => ({ fetch }) }) as { plugin: grafanaData.DataSourcePlugin<grafanaData.DataSourceApi> };
    const settings = { id: 1, uid: 'es', name: 'ES Traces', type: 'estraces-otel-datasource', url: '/api/datasources/proxy/uid/es', jsonData: { spanIndex: 'traces*' }, meta: {} };
    const ds = new (plugin.DataSourceClass as unknown as new (s: unknown) => grafanaData.DataSourceApi)(settings);
    const health = await ds.testDatasource();
    expect(health).toEqual({ status: 'success', message: "Connected to OpenSearch 2.19.1. Span index pattern 'traces*': otel in traces (evidence: trace_id, span_id, duration, kind, name)." });
    expect(urls.map((url) => url.split('?')[0])).toEqual(['/api/datasources/proxy/uid/es/', '/api/datasources/proxy/uid/es/traces*/_mapping']);
  });

  it('answers a traceId query with the trace frame and, with the node graph on, its two node graph frames', async () => {
    const keyword = { type: 'keyword' };
    const mapping = { traces: { mappings: { properties: { '@timestamp': { type: 'date_nanos' }, trace_id: keyword, span_id: keyword, parent_span_id: keyword, name: keyword, kind: keyword, duration: { type: 'long' } } } } };
    const span = (id: string, parent: string | undefined, at: string, durationNs: number) => ({
      _index: 'traces',
      _id: id,
      _source: { '@timestamp': at, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: id, ...(parent ? { parent_span_id: parent } : {}), name: `op ${id}`, kind: 'Server', duration: durationNs, resource: { attributes: { 'service.name': 'checkout' } } },
      sort: [1715678467123, id],
    });
    const hits = [span('00f067aa0ba902b7', undefined, '1715678467123.0', 40_000_000), span('00f067aa0ba902b8', '00f067aa0ba902b7', '1715678467133.0', 10_000_000)];
    const fetch = (request: { url: string; data?: { query?: { bool?: { filter?: Array<Record<string, unknown>> } } } }) => {
      const path = request.url.replace('/api/datasources/proxy/uid/es', '').split('?')[0];
      if (path === '/traces*/_mapping') {
        return rxjs.of({ data: mapping, status: 200 });
      }
      // Event documents (asked for with an `exists` filter): none.
      const events = (request.data?.query?.bool?.filter ?? []).some((clause) => 'exists' in clause);
      return rxjs.of({ data: { took: 1, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: events ? 0 : 2, relation: 'eq' }, hits: events ? [] : hits } }, status: 200 });
    };
    const { plugin } = loadBundle({ ...grafanaRuntime, getBackendSrv: () => ({ fetch }), getTemplateSrv: () => ({ replace: (text?: string) => text ?? '' }) }) as { plugin: grafanaData.DataSourcePlugin<grafanaData.DataSourceApi> };
    const settings = { id: 1, uid: 'es', name: 'ES Traces', type: 'estraces-otel-datasource', url: '/api/datasources/proxy/uid/es', jsonData: { spanIndex: 'traces*', nodeGraph: { enabled: true } }, meta: {} };
    const ds = new (plugin.DataSourceClass as unknown as new (s: unknown) => grafanaData.DataSourceApi)(settings);
    const range = { from: grafanaData.dateTime(1715678400000), to: grafanaData.dateTime(1715682000000), raw: { from: 'now-1h', to: 'now' } };
    const request = { targets: [{ refId: 'A', queryType: 'traceId', query: '4bf92f3577b34da6a3ce929d0e0e4736' }], range, scopedVars: {}, requestId: 'r', interval: '1s', intervalMs: 1000, timezone: 'utc', app: 'explore', startTime: 0 };
    const response = (await rxjs.lastValueFrom(ds.query(request as never) as rxjs.Observable<grafanaData.DataQueryResponse>)) as grafanaData.DataQueryResponse;
    expect(response.errors).toBeUndefined();
    expect(response.data.map((frame: grafanaData.DataFrame) => frame.meta?.preferredVisualisationType)).toEqual(['trace', 'nodeGraph', 'nodeGraph']);
    const [, nodes, edges] = response.data as grafanaData.DataFrame[];
    expect(nodes.fields.find((field) => field.name === 'secondarystat')?.values).toEqual(['30ms (75%)', '10ms (100%)']);
    expect(edges.fields.find((field) => field.name === 'id')?.values).toEqual(['00f067aa0ba902b7--00f067aa0ba902b8']);
  });

  it('ships a plugin.json with the id, capabilities and the version filled in', () => {
    const pluginJson = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../dist/plugin.json'), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(pluginJson).toMatchObject({ id: 'estraces-otel-datasource', type: 'datasource', tracing: true, logs: true, metrics: true, category: 'tracing', info: { version: pkg.version } });
    expect(pluginJson.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(fs.existsSync(path.resolve(__dirname, '../../dist/module.js.map'))).toBe(true);
  });
});
