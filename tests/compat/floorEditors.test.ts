/**
 * The built editors on the oldest supported Grafana: dist/module.js rendered with Grafana 11.6.0's
 * @grafana/ui and React 18 (jest.compat.config.js maps every import to the floor's copy). React 18
 * reports through console.error what it cannot honour: a ref given to a function component (React
 * 19 passes `ref` as a prop), a function as a form `action`, an unknown prop reaching the DOM. The
 * editors must render every query type, the settings and the log context switch with no report
 * beyond the one known below.
 */
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import { cleanup, render, screen } from '@testing-library/react';
import { format } from 'util';
import { createElement, type ComponentType, version as reactVersion } from 'react';

import { bundledDataSource, loadBundle } from '../bundle/loadBundle';
import pluginJson from '../../plugin.json';
import floorPackage from './floor/package.json';

/**
 * Field's `noMargin` (@grafana/ui 12.1) is unknown to 11.6 and 12.0: their Field spreads it onto
 * its <div>, where React drops it (in development with this warning) and the field keeps its
 * bottom margin. Layout only; the type check (floorTypes.test.ts) lists it too.
 */
const KNOWN_FLOOR_WARNINGS = ['Warning: React does not recognize the `noMargin` prop on a DOM element.'];

const QUERY_TYPES = [
  'traceId',
  'traceStats',
  'search',
  'scatter',
  'histogram',
  'metrics',
  'serviceMap',
  'logs',
  'upload',
];

/** The runtime of a Grafana with no other data source: the traces-to-logs picker lists none. */
const runtime = {
  ...grafanaRuntime,
  DataSourcePicker: () => null,
  getDataSourceSrv: () => ({ getList: () => [], getInstanceSettings: () => undefined }),
  getTemplateSrv: () => ({ replace: (text?: string) => text ?? '', getVariables: () => [] }),
};

let reports: string[];
beforeEach(() => {
  reports = [];
  const record = (...args: unknown[]) => reports.push(format(...args).split('\n')[0]);
  jest.spyOn(console, 'error').mockImplementation(record);
  jest.spyOn(console, 'warn').mockImplementation(record);
});
afterEach(() => {
  cleanup();
  jest.restoreAllMocks();
});

/**
 * What React reported beyond the known warnings, each message once, with the component stack and
 * the details after the first sentence cut. React warns once per test file about a given prop, so a
 * known warning may or may not come again in a later test: it is allowed, never required.
 */
function unexpected(): string[] {
  return [...new Set(reports.map((line) => line.replace(/(DOM element\.).*/, '$1')))]
    .filter((line) => !KNOWN_FLOOR_WARNINGS.includes(line))
    .sort();
}

it('runs on the floor plugin.json names: Grafana 11.6.0 packages and React 18', () => {
  expect(floorPackage.dependencies['@grafana/data']).toBe('11.6.0');
  expect(pluginJson.dependencies.grafanaDependency).toBe(`>=${floorPackage.dependencies['@grafana/data']}`);
  expect(require('@grafana/data/package.json').version).toBe(floorPackage.dependencies['@grafana/data']);
  expect(require('@grafana/ui/package.json').version).toBe(floorPackage.dependencies['@grafana/ui']);
  expect(require('@grafana/runtime/package.json').version).toBe(floorPackage.dependencies['@grafana/runtime']);
  expect(reactVersion).toBe(floorPackage.dependencies.react);
});

describe('dist/module.js with Grafana 11.6.0 and React 18', () => {
  const { plugin } = loadBundle(runtime) as { plugin: grafanaData.DataSourcePlugin<grafanaData.DataSourceApi> };
  const datasource = bundledDataSource(runtime, { spanIndex: 'traces*', logsIndex: 'logs*' });

  it.each(QUERY_TYPES)('renders the query editor of a %s query with its type chosen', (queryType) => {
    const QueryEditor = plugin.components.QueryEditor as unknown as ComponentType<Record<string, unknown>>;
    render(
      createElement(QueryEditor, {
        query: { refId: 'A', queryType },
        datasource,
        onChange: () => {},
        onRunQuery: () => {},
      })
    );
    // The query type group comes first; search-like editors have choices of their own below it.
    const chosen = screen.getAllByRole('radio').filter((radio) => (radio as HTMLInputElement).checked);
    expect(chosen[0].id).toMatch(new RegExp(`^option-${queryType}-radiogroup-`));
    expect(unexpected()).toEqual([]);
  });

  it('renders the data source settings with the span index shown', () => {
    const ConfigEditor = plugin.components.ConfigEditor as unknown as ComponentType<Record<string, unknown>>;
    const options = {
      id: 1,
      uid: 'es',
      orgId: 1,
      name: 'ES Traces',
      type: 'estraces-otel-datasource',
      access: 'proxy',
      url: 'http://127.0.0.1:9200',
      jsonData: { spanIndex: 'traces*' },
      secureJsonFields: {},
      readOnly: false,
    };
    render(createElement(ConfigEditor, { options, onOptionsChange: () => {} }));
    expect(screen.getByDisplayValue('traces*')).toBeInTheDocument();
    expect(unexpected()).toEqual([]);
  });

  it("renders the log context switch between the line's service and its trace", () => {
    const frame = grafanaData.createDataFrame({
      fields: [
        { name: 'timestamp', type: grafanaData.FieldType.time, values: [1715678467124] },
        { name: 'labels', type: grafanaData.FieldType.other, values: [{ 'service.name': 'checkout' }] },
        { name: 'traceID', type: grafanaData.FieldType.string, values: ['4bf92f3577b34da6a3ce929d0e0e4736'] },
      ],
    });
    const row = {
      uid: 'A_0',
      rowIndex: 0,
      dataFrame: frame,
      labels: {},
      timeEpochNs: '1715678467124000000',
    } as unknown as grafanaData.LogRowModel;
    const ui = (datasource as unknown as grafanaData.DataSourceWithLogsContextSupport).getLogRowContextUi?.(
      row,
      () => {}
    );
    render(createElement('div', null, ui));
    expect(screen.getAllByRole('radio').map((radio) => (radio as HTMLInputElement).checked)).toEqual([true, false]);
    expect(unexpected()).toEqual([]);
  });
});
