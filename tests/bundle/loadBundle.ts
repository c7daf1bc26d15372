/**
 * The production bundle as Grafana loads it: an AMD module whose dependencies are Grafana's own
 * packages, evaluated with the packages (or stand-ins for @grafana/runtime's services) given.
 */
import * as fs from 'fs';
import * as path from 'path';

import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as react from 'react';
import * as rxjs from 'rxjs';

export const DIST = path.resolve(__dirname, '../../dist');

export function loadBundle(runtime: unknown = grafanaRuntime, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const modules: Record<string, unknown> = {
    '@grafana/data': grafanaData,
    '@grafana/runtime': runtime,
    '@grafana/ui': grafanaUi,
    react,
    rxjs,
    module: { uri: 'public/plugins/estraces-otel-datasource/module.js' },
    ...overrides,
  };
  let exported: Record<string, unknown> | undefined;
  const define = (deps: string[], factory: (...args: unknown[]) => Record<string, unknown>) => {
    exported = factory(...deps.map((dep) => modules[dep]));
  };
  new Function('define', fs.readFileSync(path.join(DIST, 'module.js'), 'utf8'))(define);
  if (!exported) {
    throw new Error('dist/module.js did not call define()');
  }
  return exported;
}

/** A data source instance of the bundle's plugin, with these settings, as Grafana makes it. */
export function bundledDataSource(runtime: unknown, jsonData: Record<string, unknown>): grafanaData.DataSourceApi {
  const { plugin } = loadBundle(runtime) as { plugin: grafanaData.DataSourcePlugin<grafanaData.DataSourceApi> };
  const settings = { id: 1, uid: 'es', name: 'ES Traces', type: 'estraces-otel-datasource', url: '/api/datasources/proxy/uid/es', jsonData, meta: {} };
  return new (plugin.DataSourceClass as unknown as new (s: unknown) => grafanaData.DataSourceApi)(settings);
}
