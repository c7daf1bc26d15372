/**
 * The browser test page: the plugin as src/module.ts wires it (its ConfigEditor, QueryEditor,
 * DataSource class and, through the data source, its VariableQueryEditor), in @grafana/ui's dark
 * theme, talking to a real engine through the harness server's data source proxy.
 *
 * `?view=config|query|variable` picks the editor; `&query=<JSON>` is the query it starts from.
 */
import { createTheme, type DataSourceSettings } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import React from 'react';
import { createRoot } from 'react-dom/client';

import { plugin } from '../../../src/module';
import type { DataSource } from '../../../src/datasource/DataSource';
import type { EsTracesOptions, EsTracesQuery } from '../../../src/types';
import { type HarnessSettings, type HarnessView, SETTINGS_GLOBAL } from './contract';
import { installServices, instanceSettings } from './services';
import { publishState } from './store';
import { ConfigView, type ConfigViewProps, QueryView, type QueryViewProps, timeRange, VariableView } from './views';

declare global {
  interface Window {
    [SETTINGS_GLOBAL]: HarnessSettings;
  }
}

const settings = window[SETTINGS_GLOBAL];
const params = new URLSearchParams(window.location.search);
const view = (params.get('view') ?? 'query') as HarnessView;
const initialQuery: unknown = params.has('query') ? JSON.parse(params.get('query') ?? '') : undefined;

publishState(view, initialQuery);

let datasource: DataSource | undefined;
installServices(settings, () => datasource);
const DataSourceClass = plugin.DataSourceClass as unknown as new (instance: ReturnType<typeof instanceSettings>) => DataSource;
datasource = new DataSourceClass(instanceSettings(settings));

/** A data source as Grafana's settings page gives a new one: nothing configured yet. */
function newDataSourceSettings(): DataSourceSettings<EsTracesOptions> {
  const instance = instanceSettings(settings);
  return {
    id: 1,
    uid: instance.uid,
    orgId: 1,
    name: instance.name,
    type: instance.type,
    typeName: instance.meta.name,
    typeLogoUrl: instance.meta.info.logos.small,
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
  };
}

function Page() {
  const range = timeRange(settings.range);
  switch (view) {
    case 'config':
      return <ConfigView Editor={plugin.components.ConfigEditor as ConfigViewProps['Editor']} initial={newDataSourceSettings()} />;
    case 'variable':
      return <VariableView datasource={datasource!} initial={initialQuery ?? ''} range={range} />;
    default:
      return (
        <QueryView
          Editor={plugin.components.QueryEditor as QueryViewProps['Editor']}
          datasource={datasource!}
          initial={(initialQuery ?? { refId: 'A' }) as EsTracesQuery}
          range={range}
          replace={(text, scopedVars) => getTemplateSrv().replace(text, scopedVars)}
        />
      );
  }
}

// Grafana's default theme is the dark one.
const theme = createTheme({ colors: { mode: 'dark' } });

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <div style={{ padding: theme.spacing(2) }}>
      <Page />
    </div>
  </ThemeContext.Provider>
);
