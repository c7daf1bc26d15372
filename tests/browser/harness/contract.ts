/**
 * What the harness page and the browser tests agree on: the settings the server writes into the
 * page, the views it shows, and what the page publishes on `window` for the tests to read (the
 * stored query or options, and each run of the data source with its frames summarised).
 */
import pluginJson from '../../../src/plugin.json';
import type { EsTracesOptions } from '../../../src/types';

/** The editors the page can show, chosen by `?view=` in its URL. */
export type HarnessView = 'config' | 'query' | 'variable';

/** Written into the page by the server: the data source under test and the dashboard's range. */
export interface HarnessSettings {
  datasource: { uid: string; name: string; jsonData: EsTracesOptions };
  /** Another data source in Grafana's list, for the trace-to-logs picker. */
  logsDatasource: { uid: string; name: string; type: string };
  range: { fromMs: number; toMs: number };
}

/** Where the server puts the settings, and where the page publishes its state. */
export const SETTINGS_GLOBAL = '__ESTRACES_HARNESS_SETTINGS__';
export const STATE_GLOBAL = '__ESTRACES_HARNESS__';

/** Where Grafana serves the plugin's files (its logo, for the data source picker). */
export const PLUGIN_BASE_URL = `/public/plugins/${pluginJson.id}`;

/** The URL path below which Grafana's data source proxy forwards requests to the engine. */
export function proxyPath(uid: string): string {
  return `/api/datasources/proxy/uid/${uid}`;
}

export interface FieldSummary {
  name: string;
  type: string;
  /** The values as JSON can carry them (BigInt and functions as text). */
  values: unknown[];
  /** The hrefs of the field's data links on its first row, as Grafana builds them. */
  links: string[];
}

export interface FrameSummary {
  name?: string;
  refId?: string;
  length: number;
  preferredVisualisationType?: string;
  notices: string[];
  fields: FieldSummary[];
}

/** One run of the data source: what was asked and what came back. */
export interface RunRecord {
  state: 'running' | 'done';
  query: unknown;
  frames: FrameSummary[];
  errors: string[];
}

/** What a variable's preview shows after each change of its query. */
export interface PreviewRecord {
  state: 'running' | 'done';
  query: unknown;
  values: string[];
  error?: string;
}

export interface HarnessState {
  view: HarnessView;
  /** The query (query and variable views) or the data source settings (config view) as last saved. */
  stored: unknown;
  /** The variable editor's definition, as Grafana shows it in the variable list. */
  definition?: string;
  runs: RunRecord[];
  previews: PreviewRecord[];
}
