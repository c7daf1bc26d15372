import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource/DataSource';
import type { EsTracesOptions, EsTracesQuery } from './types';

export const plugin = new DataSourcePlugin<DataSource, EsTracesQuery, EsTracesOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
