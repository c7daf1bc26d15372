import {
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  DataSourceApi,
  type DataSourceGetTagKeysOptions,
  type DataSourceGetTagValuesOptions,
  type DataLink,
  type DataSourceInstanceSettings,
  type DataSourceWithSupplementaryQueriesSupport,
  type DataSourceWithLogsContextSupport,
  type LogRowContextOptions,
  LoadingState,
  LogRowContextQueryDirection,
  type LogRowModel,
  type SupplementaryQueryOptions,
  SupplementaryQueryType,
  type MetricFindValue,
  type QueryResultMetaNotice,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import { getDataSourceSrv, getTemplateSrv } from '@grafana/runtime';
import { createElement, type ReactNode } from 'react';
import { Observable } from 'rxjs';

import { EngineClient } from '../engine/client';
import { isCancelled, isEngineError } from '../engine/errors';
import { createGrafanaTransport } from '../engine/grafanaTransport';
import type { EngineTransport } from '../engine/transport';
import { millisToNanosFloat } from '../proto/time';
import { histogramFrame, type LinkTarget, searchFrame, spanScatterFrame, traceScatterFrame } from '../frames/searchFrames';
import { metricsFrames, operationTableFrame } from '../frames/metricsFrames';
import { logsFrame, logsVolumeFrames } from '../frames/logsFrame';
import { graphSpans, traceNodeGraphFrames } from '../frames/nodeGraph';
import { serviceMapFrames } from '../frames/serviceMapFrames';
import { serviceMap, type ServiceMapProgress } from '../query/serviceMap';
import { traceSpansToFrame } from '../frames/traceFrame';
import { traceStatsFrame } from '../frames/traceStatsFrame';
import { checkLogFilters, DEFAULT_LOG_LIMIT, LogResolutionCache, logsVolume, searchLogs } from '../query/logs';
import { logsWindowOf } from '../query/logsWindow';
import { logContext, type LogContextRow, type LogContextScope } from '../query/logContext';
import { LogContextScopePicker } from '../components/LogContextScopePicker';
import { findOperations, findServices, findTagKeys, findTagValues } from '../query/discovery';
import { FilterError } from '../query/filters';
import { matchingTraceTimings, parseSearchInput, type SearchProgress, type SearchRequest, searchSpans, searchTraces } from '../query/search';
import { groupKeyName, operationTable, panelStepMs, parseGroupBy, parseKinds, spanMetrics } from '../query/metrics';
import { QueryError, ResolutionCache } from '../query/resolve';
import { importTrace } from '../query/importTrace';
import type { TraceProgress } from '../query/fetchTrace';
import { runTraceQuery, type TraceQueryResult } from '../query/traceQuery';
import { partialTrace } from '../proto/trace';
import type { TimeWindow } from '../query/traceById';
import { parseTraceStatsGroupBy, traceStats } from '../query/traceStats';
import { DEFAULT_MAX_TRACE_SPANS, DEFAULT_QUERY, DEFAULT_SERVICE_MAP_SPANS, DEFAULT_SEARCH_LIMIT, type EsTracesOptions, type EsTracesQuery, type EsTracesVariableQuery } from '../types';
import { checkHealth, type HealthResult } from './health';
import { EsTracesVariableSupport } from './variables';

/** When a query has run `afterMs`, what it has so far is shown, then again at most every `everyMs`. */
export interface StreamingTimes {
  afterMs: number;
  everyMs: number;
  now: () => number;
}

/** Where a target shows what it has while it runs: `due` says whether showing now is wanted (building frames costs). */
interface PartialSink {
  due(): boolean;
  show(frames: DataFrame[]): void;
}

/**
 * Thin dispatch: each target goes to the pipeline of its query type; errors become messages on the
 * target, never stack traces in a panel.
 */
export class DataSource
  extends DataSourceApi<EsTracesQuery, EsTracesOptions>
  implements DataSourceWithSupplementaryQueriesSupport<EsTracesQuery>, DataSourceWithLogsContextSupport<EsTracesQuery>
{
  readonly client: EngineClient;
  private readonly options: EsTracesOptions;
  private readonly resolutions = new ResolutionCache();
  private readonly logResolutions = new LogResolutionCache();
  /**
   * The text of the trace file chosen in the Import editor, and its name. Kept on the instance, not
   * in the query, as Grafana's Jaeger, Zipkin and Tempo data sources keep theirs: a saved dashboard
   * never carries a file.
   */
  uploadedJson?: string;
  uploadedFileName?: string;
  /** The context view's choice per log line (by row uid): its service or its trace. */
  private readonly logContextScopes = new Map<string, LogContextScope>();
  /** A query that runs longer than a second shows what it has, once a second, as Grafana's streaming state. */
  streaming: StreamingTimes = { afterMs: 1000, everyMs: 1000, now: () => Date.now() };

  constructor(instanceSettings: DataSourceInstanceSettings<EsTracesOptions>, transport?: EngineTransport) {
    super(instanceSettings);
    this.options = instanceSettings.jsonData ?? {};
    const timeoutMs = (this.options.timeoutSeconds ?? 60) * 1000;
    this.client = new EngineClient(transport ?? createGrafanaTransport(instanceSettings.url ?? '', `the engine of data source '${instanceSettings.name}'`, timeoutMs));
    this.variables = new EsTracesVariableSupport(this);
  }

  getDefaultQuery(): Partial<EsTracesQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: EsTracesQuery): boolean {
    // An empty trace id is a query not yet written, not an error to show.
    return !query.hide && (!TRACE_ID_TYPES.includes(query.queryType ?? 'traceId') || (query.query ?? '').trim() !== '');
  }

  /**
   * When Grafana unsubscribes (the query was cancelled or replaced), the query's client is
   * aborted: the request in flight is cancelled and no further one is sent, so paging stops.
   * Nothing is emitted after that, neither data nor an error.
   */
  query(request: DataQueryRequest<EsTracesQuery>): Observable<DataQueryResponse> {
    return new Observable<DataQueryResponse>((subscriber) => {
      const controller = new AbortController();
      const client = this.client.withSignal(controller.signal);
      const targets = request.targets.filter((target) => !target.hide);
      const { afterMs, everyMs, now } = this.streaming;
      const started = now();
      let lastShown = -Infinity;
      const shown = new Map<number, DataFrame[]>();
      const sink = (i: number): PartialSink => ({
        due: () => !controller.signal.aborted && now() - started >= afterMs && now() - lastShown >= everyMs,
        show: (frames) => {
          lastShown = now();
          shown.set(i, frames);
          // Every target's latest frames, so each emission stands on its own (Grafana keeps the last).
          subscriber.next({ data: targets.flatMap((_, j) => shown.get(j) ?? []), state: LoadingState.Streaming });
        },
      });
      Promise.all(targets.map((target, i) => this.runTarget(target, request, client, sink(i)))).then((results) => {
        if (controller.signal.aborted) {
          return;
        }
        const data = results.flatMap((result) => result.data);
        const errors = results.flatMap((result) => (result.error ? [result.error] : []));
        subscriber.next(errors.length > 0 ? { data, errors, state: LoadingState.Error } : { data, state: LoadingState.Done });
        subscriber.complete();
      });
      return () => controller.abort();
    });
  }

  private async runTarget(target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>, client: EngineClient, sink?: PartialSink): Promise<{ data: DataFrame[]; error?: DataQueryError }> {
    try {
      switch (target.queryType ?? 'traceId') {
        case 'traceId':
          return { data: await this.traceById(client, target, request.scopedVars, request.range, sink) };
        case 'search':
          return { data: [await this.search(client, target, request, sink)] };
        case 'scatter':
          return { data: [await this.scatter(client, target, request)] };
        case 'histogram':
          return { data: [await this.histogram(client, target, request)] };
        case 'metrics':
          return { data: await this.metrics(client, target, request) };
        case 'serviceMap':
          return { data: await this.serviceMap(client, target, request, sink) };
        case 'logs':
          return { data: await this.logs(client, target, request) };
        case 'traceStats':
          return { data: [await this.traceStats(client, target, request.scopedVars, request.range)] };
        case 'upload':
          return { data: this.importedTrace(target, request.scopedVars) };
        default:
          throw new QueryError(`query type '${target.queryType}' is not available in this version of the plugin`);
      }
    } catch (error) {
      // A cancelled query is not a failure: Grafana no longer listens for its answer.
      return isCancelled(error) ? { data: [] } : { data: [], error: { refId: target.refId, message: userMessage(error) } };
    }
  }

  /** The trace the query's id names, read from the engine; while a big one loads, the spans so far are shown. */
  private async traceById(client: EngineClient, target: EsTracesQuery, scopedVars: ScopedVars, range: TimeRange | undefined, sink?: PartialSink): Promise<DataFrame[]> {
    const onProgress = sink && ((progress: TraceProgress) => sink.due() && sink.show([this.partialTraceFrame(progress, target)]));
    return this.traceFrames(await this.engineTrace(client, target, scopedVars, range, onProgress), target);
  }

  /** The spans loaded so far as a trace frame, with a notice of how many of how many. */
  private partialTraceFrame(progress: TraceProgress, target: EsTracesQuery): DataFrame {
    const of = progress.total === undefined ? '' : ` of ${progress.total}`;
    return traceSpansToFrame(partialTrace(progress.spans()), {
      refId: target.refId,
      notices: [{ severity: 'info', text: `loaded ${progress.loaded}${of} spans; the rest is loading` }],
      custom: { partial: true, loadedSpans: progress.loaded, totalSpans: progress.total },
      spanLinks: this.spanLogsLinks(),
    });
  }

  /**
   * The trace whose id is in `query` (interpolated), over all time unless "Limit to time range" is
   * on, up to the data source's "Max spans per trace"; its notices say what was truncated or missing.
   */
  private async engineTrace(client: EngineClient, target: EsTracesQuery, scopedVars: ScopedVars, range: TimeRange | undefined, onProgress?: (progress: TraceProgress) => void): Promise<TraceQueryResult> {
    const traceId = getTemplateSrv().replace(target.query ?? '', scopedVars).trim();
    const resolution = await this.resolution(client);
    return runTraceQuery(client, {
      traceId,
      resolution,
      window: target.useTimeRange && range ? timeWindow(range) : undefined,
      maxSpans: this.options.maxTraceSpans ?? DEFAULT_MAX_TRACE_SPANS,
      onProgress,
    });
  }

  /** Jaeger UI's trace statistics of the trace `query` names, read as the trace view reads it, as a table. */
  private async traceStats(client: EngineClient, target: EsTracesQuery, scopedVars: ScopedVars, range: TimeRange | undefined): Promise<DataFrame> {
    // Parsed first, so a bad grouping is named without a round trip.
    const groupBy = parseTraceStatsGroupBy(getTemplateSrv().replace(target.statsGroupBy ?? '', scopedVars));
    const result = await this.engineTrace(client, target, scopedVars, range);
    const stats = traceStats(result.rows, groupBy);
    return traceStatsFrame(stats, { refId: target.refId, traceId: result.traceId, notices: [...result.notices, ...notices(stats.warnings)] });
  }

  /** The trace of the imported file (the one `query` names, else its first), shown as one read from the engine; nothing before a file is chosen. */
  private importedTrace(target: EsTracesQuery, scopedVars: ScopedVars): DataFrame[] {
    if (this.uploadedJson === undefined) {
      return [];
    }
    return this.traceFrames(importTrace(this.uploadedJson, getTemplateSrv().replace(target.query ?? '', scopedVars)), target);
  }

  /** The trace frame, and with the node graph enabled (as Grafana's Jaeger and Tempo sources have it) its two node graph frames. */
  private traceFrames(result: TraceQueryResult, target: EsTracesQuery): DataFrame[] {
    const frame = traceSpansToFrame(result.spans, {
      refId: target.refId,
      notices: result.notices,
      custom: { traceId: result.traceId, truncated: result.truncated, spanCount: result.facts.spanCount, depth: result.facts.depth, rootService: result.facts.rootServiceName },
      spanLinks: this.spanLogsLinks(),
    });
    return this.options.nodeGraph?.enabled && result.spans.length > 0 ? [frame, ...traceNodeGraphFrames(graphSpans(result.spans), target.refId)] : [frame];
  }

  /** Services with spans in the dashboard's time range, for pickers. */
  async listServices(range?: TimeRange): Promise<string[]> {
    return (await findServices(this.client, { resolution: await this.resolution(), window: this.window(range) })).values;
  }

  /** Span names of one service in the dashboard's time range. */
  async listOperations(service: string, range?: TimeRange): Promise<string[]> {
    const resolution = await this.resolution();
    return (await findOperations(this.client, { resolution, window: this.window(range), service: getTemplateSrv().replace(service) })).values;
  }

  /** Span and resource attribute keys (from the mapping, or aggregated where keys are data). */
  async listTagKeys(range?: TimeRange): Promise<string[]> {
    return (await findTagKeys(this.client, { resolution: await this.resolution(), window: this.window(range) })).values;
  }

  /** The most frequent values of one attribute in the dashboard's time range. */
  async listTagValues(key: string, range?: TimeRange): Promise<string[]> {
    return (await findTagValues(this.client, { resolution: await this.resolution(), window: this.window(range), key: getTemplateSrv().replace(key) })).values;
  }

  /** Ad hoc filter keys. */
  async getTagKeys(options?: DataSourceGetTagKeysOptions<EsTracesQuery>): Promise<MetricFindValue[]> {
    return (await this.listTagKeys(options?.timeRange)).map((text) => ({ text }));
  }

  /** Ad hoc filter values of one key. */
  async getTagValues(options: DataSourceGetTagValuesOptions<EsTracesQuery>): Promise<MetricFindValue[]> {
    return (await this.listTagValues(options.key, options.timeRange)).map((text) => ({ text }));
  }

  /** What a template variable lists. */
  async listForVariable(query: EsTracesVariableQuery, range?: TimeRange): Promise<string[]> {
    switch (query.kind) {
      case 'operations':
        if (!query.service?.trim()) {
          throw new QueryError('choose the service whose operations the variable lists');
        }
        return this.listOperations(query.service, range);
      case 'tagKeys':
        return this.listTagKeys(range);
      case 'tagValues':
        if (!query.tag?.trim()) {
          throw new QueryError('choose the attribute whose values the variable lists');
        }
        return this.listTagValues(query.tag, range);
      default:
        return this.listServices(range);
    }
  }

  private resolution(client = this.client) {
    return sharedWith(client, (source) => this.resolutions.get(source, this.options.spanIndex ?? '', this.options.schema ?? 'auto', this.options.fieldOverrides));
  }

  /** The given range, else the dashboard's current one: lists follow what the user looks at. */
  private window(range?: TimeRange): TimeWindow | undefined {
    if (range) {
      return timeWindow(range);
    }
    // Outside a query the dashboard range is only reachable through its built-in variables.
    const from = Number(getTemplateSrv().replace('$__from'));
    const to = Number(getTemplateSrv().replace('$__to'));
    return Number.isFinite(from) && Number.isFinite(to) && from <= to ? { fromNs: millisToNanosFloat(from), toNs: millisToNanosFloat(to) } : undefined;
  }

  /** Search, scatter and histogram: what the user typed, interpolated, with ad hoc filters added. */
  private searchRequest(target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>, defaultLimit: number): SearchRequest {
    const templates = getTemplateSrv();
    const text = (value?: string) => (value === undefined ? undefined : templates.replace(value, request.scopedVars));
    // Multi-value variables (and "All") arrive as several names, any of which a span may have.
    const names = (value?: string) => (value === undefined ? undefined : templates.replace(value, request.scopedVars, (v: string | string[]) => (Array.isArray(v) ? v.join(MULTI) : v)).split(MULTI));
    const parsed = parseSearchInput({
      service: names(target.service),
      operation: names(target.operation),
      tags: text(target.tags),
      minDuration: text(target.minDuration),
      maxDuration: text(target.maxDuration),
      status: text(target.status),
      limit: target.limit ?? defaultLimit,
      sort: target.sort,
    });
    for (const filter of request.filters ?? []) {
      if (filter.operator !== '=') {
        throw new QueryError(`ad hoc filter '${filter.key} ${filter.operator} ${filter.value}': only '=' is supported`);
      }
      parsed.filters.tags.push({ key: filter.key, value: filter.value, quoted: true });
    }
    return parsed;
  }

  /** The search table; while a long ranking runs, the top of the traces ranked so far, with a notice saying how far it has come. */
  private async search(client: EngineClient, target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>, sink?: PartialSink): Promise<DataFrame> {
    const searchRequest = this.searchRequest(target, request, DEFAULT_SEARCH_LIMIT);
    const onProgress = sink && ((progress: SearchProgress) => {
      if (sink.due()) {
        sink.show([searchFrame(progress.traces(), this.linkTarget(), { refId: target.refId, notices: [{ severity: 'info', text: progress.stage }], custom: { partial: true } })]);
      }
    });
    const result = await searchTraces(client, { resolution: await this.resolution(client), window: timeWindow(request.range), request: searchRequest, onProgress });
    return searchFrame(result.traces, this.linkTarget(), { refId: target.refId, notices: notices(result.warnings) });
  }

  private async scatter(client: EngineClient, target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>): Promise<DataFrame> {
    const searchRequest = this.searchRequest(target, request, DEFAULT_SCATTER_LIMIT);
    const options = { resolution: await this.resolution(client), window: timeWindow(request.range), request: searchRequest };
    if (target.perSpan) {
      const result = await searchSpans(client, options);
      return spanScatterFrame(result.spans, this.linkTarget(), { refId: target.refId, notices: notices(result.warnings) });
    }
    const result = await searchTraces(client, options);
    return traceScatterFrame(result.traces, this.linkTarget(), { refId: target.refId, notices: notices(result.warnings) });
  }

  /** Services, untraced peers and the calls between them over the dashboard range, as node graph frames. */
  /** The service map of the range; while a big join runs, the map of the spans joined so far is shown. */
  private async serviceMap(client: EngineClient, target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>, sink?: PartialSink): Promise<DataFrame[]> {
    const onProgress = sink && ((progress: ServiceMapProgress) => {
      if (sink.due()) {
        const map = progress.map();
        sink.show(serviceMapFrames({ ...map, warnings: [`joined ${progress.joined} of ${progress.expected} spans for the edges; the rest is loading`] }, this.linkTarget(), target.refId));
      }
    });
    const map = await serviceMap(client, { resolution: await this.resolution(client), window: timeWindow(request.range), maxSpans: this.options.serviceMap?.maxSpans ?? DEFAULT_SERVICE_MAP_SPANS, onProgress });
    return serviceMapFrames(map, this.linkTarget(), target.refId);
  }

  private async histogram(client: EngineClient, target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>): Promise<DataFrame> {
    const searchRequest = this.searchRequest(target, request, DEFAULT_SEARCH_LIMIT);
    const result = await matchingTraceTimings(client, { resolution: await this.resolution(client), window: timeWindow(request.range), request: searchRequest });
    return histogramFrame(result.durationsMs, { refId: target.refId, notices: notices(result.warnings) });
  }

  /**
   * Span metrics for the search filters and a span kind: RED series at the panel's interval, or
   * the operations table over the range, whose operations link to their slowest traces.
   */
  private async metrics(client: EngineClient, target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>): Promise<DataFrame[]> {
    const templates = getTemplateSrv();
    const kinds = templates.replace(target.kind ?? '', request.scopedVars, (value: string | string[]) => (Array.isArray(value) ? value.join(',') : value));
    const filters = { ...this.searchRequest(target, request, DEFAULT_SEARCH_LIMIT).filters, kind: parseKinds(kinds) };
    const groupBy = parseGroupBy(templates.replace(target.metricsGroupBy ?? '', request.scopedVars));
    const window = timeWindow(request.range);
    const resolution = await this.resolution(client);
    if (target.metricsTable) {
      const result = await operationTable(client, { resolution, window, filters });
      const searchQuery = Object.fromEntries(Object.entries({ tags: target.tags, status: target.status, minDuration: target.minDuration, maxDuration: target.maxDuration }).filter((entry): entry is [string, string] => !!entry[1]));
      return [operationTableFrame(result.operations, this.linkTarget(), { refId: target.refId, notices: notices(result.warnings), searchQuery })];
    }
    const [fromMs, toMs] = [request.range.from.valueOf(), request.range.to.valueOf()];
    const stepMs = panelStepMs(toMs - fromMs, request.intervalMs);
    const result = await spanMetrics(client, { resolution, window, stepMs, filters, groupBy });
    return metricsFrames(result.series, { refId: target.refId, notices: notices(result.warnings), stepMs, fromMs, toMs, groupKey: groupBy && groupKeyName(groupBy) });
  }

  private linkTarget(): LinkTarget {
    return { datasourceUid: this.uid, datasourceName: this.name };
  }

  async testDatasource(): Promise<HealthResult> {
    this.resolutions.clear();
    this.logResolutions.clear();
    const targetUid = this.options.tracesToLogsV2?.datasourceUid;
    const target = targetUid && targetUid !== this.uid ? getDataSourceSrv().getInstanceSettings(targetUid) : undefined;
    return checkHealth(this.client, { ...this.options, logsTarget: targetUid && targetUid !== this.uid ? { uid: targetUid, type: target?.type, name: target?.name } : undefined });
  }

  /**
   * "Logs for this span" on every span of the trace view, to this data source's logs query over the
   * span's time widened by the configured shifts. Only when this data source holds the logs: for
   * another target (Loki, Elasticsearch, OpenSearch, ...), Grafana's trace view builds the link from tracesToLogsV2.
   */
  private spanLogsLinks(): DataLink[] {
    const target = this.options.tracesToLogsV2?.datasourceUid;
    if (!this.options.logsIndex?.trim() || (target && target !== this.uid)) {
      return [];
    }
    return [
      {
        title: 'Logs for this span',
        url: '',
        internal: {
          datasourceUid: this.uid,
          datasourceName: this.name,
          query: { refId: 'logs', queryType: 'logs', traceId: '${__span.traceId}', spanId: '${__span.spanId}', spanWindow: true },
        },
      },
    ];
  }

  /** Log lines (or their volume) from this data source's logs index. */
  private async logs(client: EngineClient, target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>): Promise<DataFrame[]> {
    const templates = getTemplateSrv();
    const text = (value?: string) => (value === undefined ? undefined : templates.replace(value, request.scopedVars));
    const filters = { traceId: text(target.traceId), spanId: text(target.spanId), service: text(target.service), severity: text(target.severity), text: text(target.text) };
    const resolution = await sharedWith(client, (source) => this.logResolutions.get(source, this.options.logsIndex ?? '', this.options.logsSchema ?? 'auto'));
    let window = timeWindow(request.range);
    const checked = checkLogFilters(filters);
    if (target.spanWindow && checked.traceId) {
      window = await logsWindowOf(client, await this.resolution(client), checked.traceId, checked.spanId, this.options.tracesToLogsV2 ?? {});
    }
    if (target.logsVolume) {
      const intervalMs = Math.max(1, request.intervalMs || Math.ceil((request.range.to.valueOf() - request.range.from.valueOf()) / 100));
      const result = await logsVolume(client, { resolution, filters, window, intervalMs });
      return logsVolumeFrames(result.buckets, { refId: target.refId, notices: notices(result.warnings), fromMs: request.range.from.valueOf(), toMs: request.range.to.valueOf() });
    }
    const result = await searchLogs(client, { resolution, filters, window, limit: target.limit ?? DEFAULT_LOG_LIMIT });
    return [logsFrame(result.lines, this.linkTarget(), { refId: target.refId, notices: notices(result.warnings) })];
  }

  /**
   * "Show context" of a log line: the lines just before (Backward) or after (Forward) it in the same
   * service, or in the same trace when the context view's switch says so.
   */
  async getLogRowContext(row: LogRowModel, options?: LogRowContextOptions): Promise<DataQueryResponse> {
    const refId = `log-context-${row.rowIndex}`;
    try {
      const resolution = await this.logResolutions.get(this.client, this.options.logsIndex ?? '', this.options.logsSchema ?? 'auto');
      const result = await logContext(this.client, {
        resolution,
        row: logContextRow(row),
        scope: this.logContextScopes.get(row.uid) ?? 'service',
        direction: options?.direction === LogRowContextQueryDirection.Forward ? 'forward' : 'backward',
        limit: options?.limit,
        windowMs: options?.timeWindowMs,
      });
      return { data: [logsFrame(result.lines, this.linkTarget(), { refId, notices: notices(result.warnings) })] };
    } catch (error) {
      const message = userMessage(error);
      return { data: [], errors: [{ refId, message }], error: { refId, message } };
    }
  }

  /** The logs query the context view opens in a split pane: the line's service, or its trace. */
  async getLogRowContextQuery(row: LogRowModel): Promise<EsTracesQuery | null> {
    const context = logContextRow(row);
    const scope = this.logContextScopes.get(row.uid) ?? 'service';
    const filters = scope === 'trace' ? { traceId: context.traceId } : { service: context.service };
    return Object.values(filters).some((value) => value) ? { refId: 'log-context', queryType: 'logs', ...filters } : null;
  }

  /** The switch of the context view between the line's service and its trace. */
  getLogRowContextUi(row: LogRowModel, runContextQuery?: () => void): ReactNode {
    const context = logContextRow(row);
    return createElement(LogContextScopePicker, {
      scope: this.logContextScopes.get(row.uid) ?? 'service',
      available: { service: context.service !== undefined, trace: context.traceId !== undefined },
      onChange: (scope: LogContextScope) => {
        this.logContextScopes.set(row.uid, scope);
        runContextQuery?.();
      },
    });
  }

  getSupportedSupplementaryQueryTypes(): SupplementaryQueryType[] {
    return [SupplementaryQueryType.LogsVolume];
  }

  /**
   * The full-range log volume of Explore's logs queries: Explore sends it only to a data source with
   * this method (else it draws a "limited" histogram of the lines it received). The volume targets
   * keep the refId prefix `log-volume-` by which Explore matches them to their logs query.
   */
  getSupplementaryRequest(type: SupplementaryQueryType, request: DataQueryRequest<EsTracesQuery>): DataQueryRequest<EsTracesQuery> | undefined {
    if (type !== SupplementaryQueryType.LogsVolume) {
      return undefined;
    }
    const targets = request.targets.filter((target) => !target.hide).flatMap((target) => this.getSupplementaryQuery({ type }, target) ?? []);
    return targets.length === 0 ? undefined : { ...request, targets };
  }

  /** The volume of a logs query, for Explore's logs volume panel. */
  getSupplementaryQuery(options: SupplementaryQueryOptions, query: EsTracesQuery): EsTracesQuery | undefined {
    if (options.type !== SupplementaryQueryType.LogsVolume || query.queryType !== 'logs') {
      return undefined;
    }
    return { ...query, refId: `log-volume-${query.refId}`, logsVolume: true };
  }
}

export function timeWindow(range: TimeRange): TimeWindow {
  return { fromNs: millisToNanosFloat(range.from.valueOf()), toNs: millisToNanosFloat(range.to.valueOf()) };
}

/** The query types whose trace id is in `query`: without one, there is nothing to run yet. */
const TRACE_ID_TYPES: Array<EsTracesQuery['queryType']> = ['traceId', 'traceStats'];

/** Separates the values of a multi-value variable; no service or span name contains it. */
const MULTI = '\u0001';
/** Scatter plots show more than a table: points, not rows. */
const DEFAULT_SCATTER_LIMIT = 500;

function notices(warnings: string[]): QueryResultMetaNotice[] {
  return warnings.map((text) => ({ severity: 'warning', text }));
}

/**
 * A detection cached for every query, made by whichever query asked first: when that query is
 * cancelled, the cache drops the entry and a query still running asks again with its own client.
 */
async function sharedWith<T>(client: EngineClient, get: (client: EngineClient) => Promise<T>): Promise<T> {
  try {
    return await get(client);
  } catch (error) {
    if (isCancelled(error) && !client.signal?.aborted) {
      return get(client);
    }
    throw error;
  }
}

/** Messages users can act on; anything unexpected is named, without a stack trace. */
export function userMessage(error: unknown): string {
  if (error instanceof QueryError || error instanceof FilterError || isEngineError(error)) {
    return error.message;
  }
  return `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
}

/** The line a logs frame row stands for: its exact time (whole ms plus `nanos`), id, service and trace. */
export function logContextRow(row: LogRowModel): LogContextRow {
  const field = (name: string) => row.dataFrame.fields.find((candidate) => candidate.name === name);
  const time = field('timestamp');
  const ms = time?.values[row.rowIndex];
  const nanos = time?.nanos?.[row.rowIndex] ?? 0;
  const timeUnixNano = typeof ms === 'number' ? BigInt(Math.floor(ms)) * BigInt(1_000_000) + BigInt(nanos) : BigInt(row.timeEpochNs);
  const labels = (field('labels')?.values[row.rowIndex] ?? row.labels ?? {}) as Record<string, string>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return { timeUnixNano, key: String(field('id')?.values[row.rowIndex] ?? row.uid), service: text(labels['service.name']), traceId: text(field('traceID')?.values[row.rowIndex]) };
}
