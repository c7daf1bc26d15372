/**
 * The production bundle as Grafana loads it: an AMD module whose dependencies are Grafana's own
 * packages. Evaluating dist/module.js with those packages must give the data source plugin with
 * its editors, and a data source that answers a health check through the proxy transport.
 */
import * as fs from 'fs';
import * as path from 'path';

import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as react from 'react';
import * as rxjs from 'rxjs';

const BUNDLE = path.resolve(__dirname, '../../dist/module.js');

function loadBundle(runtime: unknown = grafanaRuntime): Record<string, unknown> {
  const modules: Record<string, unknown> = {
    '@grafana/data': grafanaData,
    '@grafana/runtime': runtime,
    '@grafana/ui': grafanaUi,
    react,
    rxjs,
    module: { uri: 'public/plugins/estraces-otel-datasource/module.js' },
  };
  let exported: Record<string, unknown> | undefined;
  const define = (deps: string[], factory: (...args: unknown[]) => Record<string, unknown>) => {
    exported = factory(...deps.map((dep) => modules[dep]));
  };
  new Function('define', fs.readFileSync(BUNDLE, 'utf8'))(define);
  if (!exported) {
    throw new Error('dist/module.js did not call define()');
  }
  return exported;
}

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

  it('ships a plugin.json with the id, capabilities and the version filled in', () => {
    const pluginJson = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../dist/plugin.json'), 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(pluginJson).toMatchObject({ id: 'estraces-otel-datasource', type: 'datasource', tracing: true, logs: true, metrics: true, category: 'tracing', info: { version: pkg.version } });
    expect(pluginJson.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(fs.existsSync(path.resolve(__dirname, '../../dist/module.js.map'))).toBe(true);
  });
});
