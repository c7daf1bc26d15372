/**
 * The Grafana services the plugin's editors and data source call through @grafana/runtime, as a
 * Grafana page provides them, reduced to what a data source plugin uses:
 * - backendSrv.fetch: a real HTTP request (window.fetch) whose answer is parsed the way Grafana's
 *   backend_srv parses it (JSON when it parses, else the text) and whose failure is a FetchError;
 *   unsubscribing aborts the request, as Grafana's does.
 * - templateSrv.replace: the dashboard range's `$__from` / `$__to`, and the `${__value.*}` of a
 *   data link (the search table's trace links); other text is returned unchanged.
 * - dataSourceSrv: Grafana's list of data sources: the one under test (the default) and an
 *   Elasticsearch one for the trace-to-logs picker.
 */
import {
  type DataSourceInstanceSettings,
  type DataSourcePluginMeta,
  type DataSourceRef,
  PluginType,
  type ScopedVars,
} from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
  type FetchError,
  type FetchResponse,
  type GetDataSourceListFilters,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
  type TemplateSrv,
} from '@grafana/runtime';
import { Observable } from 'rxjs';

import pluginJson from '../../../src/plugin.json';
import type { EsTracesOptions } from '../../../src/types';
import { type HarnessSettings, PLUGIN_BASE_URL, proxyPath } from './contract';

/** Grafana's backend_srv: the body as JSON when it parses, else as text (an empty body too). */
async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function requestUrl(options: BackendSrvRequest): string {
  const params = options.params ? new URLSearchParams(options.params as Record<string, string>).toString() : '';
  return params === '' ? options.url : `${options.url}${options.url.includes('?') ? '&' : '?'}${params}`;
}

function requestInit(options: BackendSrvRequest, signal: AbortSignal): RequestInit {
  const headers: Record<string, string> = { Accept: 'application/json, text/plain, */*', ...options.headers };
  let body: string | undefined;
  if (options.data !== undefined) {
    body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
    headers['Content-Type'] = headers['Content-Type'] ?? 'application/json';
  }
  return { method: options.method ?? 'GET', headers, body, signal };
}

function fetchError(options: BackendSrvRequest, status: number, statusText: string, data: unknown): FetchError {
  return { status, statusText, data, config: options };
}

function fetchThroughServer<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    window
      .fetch(requestUrl(options), requestInit(options, controller.signal))
      .then(async (response) => {
        const data = await parseBody(response);
        if (!response.ok) {
          subscriber.error(fetchError(options, response.status, response.statusText, data));
          return;
        }
        const { status, statusText, ok, headers, redirected, type, url } = response;
        subscriber.next({ data: data as T, status, statusText, ok, headers, redirected, type, url, config: options });
        subscriber.complete();
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) {
          // No answer at all: Grafana reports such a failure without a status.
          subscriber.error(fetchError(options, 0, String(error), { message: String(error) }));
        }
      });
    return () => controller.abort();
  });
}

/** Only `fetch` is used by the plugin; anything else says so instead of failing obscurely. */
function backendSrv(): BackendSrv {
  const unsupported = (name: string) => () => {
    throw new Error(`backendSrv.${name} is not provided by the browser test harness; the plugin uses fetch`);
  };
  const methods = ['get', 'post', 'put', 'patch', 'delete', 'request', 'datasourceRequest', 'resolveCancelerIfExists'];
  return { ...Object.fromEntries(methods.map((name) => [name, unsupported(name)])), fetch: fetchThroughServer } as unknown as BackendSrv;
}

/** `${__value.raw}` and `${__value.text}` of a data link, from the row its context names. */
function dataLinkValue(scopedVars: ScopedVars | undefined): string | undefined {
  const context = scopedVars?.__dataContext?.value as { field?: { values: unknown[] }; rowIndex?: number } | undefined;
  if (!context?.field || context.rowIndex === undefined) {
    return undefined;
  }
  return String(context.field.values[context.rowIndex]);
}

function templateSrv(range: HarnessSettings['range']): TemplateSrv {
  const builtIns: Record<string, () => string | undefined> = {
    __from: () => String(range.fromMs),
    __to: () => String(range.toMs),
  };
  const replace = (target?: string, scopedVars?: ScopedVars): string =>
    (target ?? '').replace(/\$\{(__value)\.(raw|text)\}|\$\{(__from|__to)\}|\$(__from|__to)\b/g, (match, value, _part, braced, bare) => {
      const replaced = value ? dataLinkValue(scopedVars) : builtIns[braced ?? bare]();
      return replaced ?? match;
    });
  return {
    getVariables: () => [],
    replace,
    containsTemplate: (target?: string) => replace(target) !== (target ?? ''),
    updateTimeRange: () => undefined,
  };
}

function meta(type: string, name: string, logo: string, kinds: Partial<DataSourcePluginMeta>): DataSourcePluginMeta {
  return {
    id: type,
    name,
    type: PluginType.datasource,
    module: '',
    baseUrl: '',
    info: {
      author: { name },
      description: '',
      links: [],
      logos: { small: logo, large: logo },
      screenshots: [],
      updated: '',
      version: '',
    },
    ...kinds,
  };
}

/** The data source under test as Grafana describes it to the plugin: its proxy URL and jsonData. */
export function instanceSettings(settings: HarnessSettings): DataSourceInstanceSettings<EsTracesOptions> {
  const { uid, name, jsonData } = settings.datasource;
  const logo = `${PLUGIN_BASE_URL}/${pluginJson.info.logos.small}`;
  return {
    id: 1,
    uid,
    name,
    type: pluginJson.id,
    meta: meta(pluginJson.id, pluginJson.name, logo, { tracing: true, logs: true, metrics: true }),
    url: proxyPath(uid),
    access: 'proxy',
    jsonData,
    readOnly: false,
    isDefault: true,
  };
}

function logsSettings(settings: HarnessSettings): DataSourceInstanceSettings {
  const { uid, name, type } = settings.logsDatasource;
  return {
    id: 2,
    uid,
    name,
    type,
    meta: meta(type, 'Elasticsearch', '/public/build/img/icons/unicons/database.svg', { logs: true, metrics: true }),
    access: 'proxy',
    jsonData: {},
    readOnly: false,
  };
}

function matches(ds: DataSourceInstanceSettings, filters: GetDataSourceListFilters): boolean {
  const types = filters.type === undefined ? undefined : [filters.type].flat();
  return (
    (!filters.filter || filters.filter(ds)) &&
    (!types || types.includes(ds.type)) &&
    (!filters.pluginId || filters.pluginId === ds.meta.id) &&
    (!filters.logs || ds.meta.logs === true) &&
    (!filters.tracing || ds.meta.tracing === true) &&
    (!filters.metrics || ds.meta.metrics === true)
  );
}

function dataSourceSrv(list: DataSourceInstanceSettings[], instance: () => unknown): DataSourceSrv {
  const find = (ref?: DataSourceRef | string | null) => {
    if (ref === undefined || ref === null) {
      return list.find((ds) => ds.isDefault);
    }
    const key = typeof ref === 'string' ? ref : ref.uid;
    return list.find((ds) => ds.uid === key || ds.name === key);
  };
  return {
    getList: (filters = {}) => list.filter((ds) => matches(ds, filters)),
    getInstanceSettings: find,
    get: async (ref) => {
      const found = find(ref);
      if (found?.uid !== list[0].uid) {
        throw new Error(`data source ${JSON.stringify(ref)} cannot be loaded in the browser test harness`);
      }
      return instance() as Awaited<ReturnType<DataSourceSrv['get']>>;
    },
    reload: async () => undefined,
    registerRuntimeDataSource: () => undefined,
  };
}

/** Installs the services; `instance` gives the data source object once it is made. */
export function installServices(settings: HarnessSettings, instance: () => unknown): void {
  setBackendSrv(backendSrv());
  setTemplateSrv(templateSrv(settings.range));
  setDataSourceSrv(dataSourceSrv([instanceSettings(settings), logsSettings(settings)], instance));
}
