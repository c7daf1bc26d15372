import {
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  DataSourceApi,
  type DataSourceInstanceSettings,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';

import { EngineClient } from '../engine/client';
import { isEngineError } from '../engine/errors';
import { createGrafanaTransport } from '../engine/grafanaTransport';
import type { EngineTransport } from '../engine/transport';
import { millisToNanosFloat } from '../proto/time';
import { traceRowsToFrame } from '../frames/traceFrame';
import { QueryError, ResolutionCache } from '../query/resolve';
import { runTraceQuery } from '../query/traceQuery';
import type { TimeWindow } from '../query/traceById';
import { DEFAULT_MAX_TRACE_SPANS, DEFAULT_QUERY, type EsTracesOptions, type EsTracesQuery } from '../types';
import { checkHealth, type HealthResult } from './health';

/**
 * Thin dispatch: each target goes to the pipeline of its query type; errors become messages on the
 * target, never stack traces in a panel.
 */
export class DataSource extends DataSourceApi<EsTracesQuery, EsTracesOptions> {
  readonly client: EngineClient;
  private readonly options: EsTracesOptions;
  private readonly resolutions = new ResolutionCache();

  constructor(instanceSettings: DataSourceInstanceSettings<EsTracesOptions>, transport?: EngineTransport) {
    super(instanceSettings);
    this.options = instanceSettings.jsonData ?? {};
    const timeoutMs = (this.options.timeoutSeconds ?? 60) * 1000;
    this.client = new EngineClient(transport ?? createGrafanaTransport(instanceSettings.url ?? '', `the engine of data source '${instanceSettings.name}'`, timeoutMs));
  }

  getDefaultQuery(): Partial<EsTracesQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: EsTracesQuery): boolean {
    // An empty trace id is a query not yet written, not an error to show.
    return !query.hide && ((query.queryType ?? 'traceId') !== 'traceId' || (query.query ?? '').trim() !== '');
  }

  async query(request: DataQueryRequest<EsTracesQuery>): Promise<DataQueryResponse> {
    const results = await Promise.all(request.targets.filter((target) => !target.hide).map((target) => this.runTarget(target, request)));
    const data = results.flatMap((result) => result.data);
    const errors = results.flatMap((result) => (result.error ? [result.error] : []));
    return errors.length > 0 ? { data, errors, error: errors[0] } : { data };
  }

  private async runTarget(target: EsTracesQuery, request: DataQueryRequest<EsTracesQuery>): Promise<{ data: DataFrame[]; error?: DataQueryError }> {
    try {
      switch (target.queryType ?? 'traceId') {
        case 'traceId':
          return { data: [await this.traceById(target, request.scopedVars, request.range)] };
        default:
          throw new QueryError(`query type '${target.queryType}' is not available in this version of the plugin`);
      }
    } catch (error) {
      return { data: [], error: { refId: target.refId, message: userMessage(error) } };
    }
  }

  private async traceById(target: EsTracesQuery, scopedVars: ScopedVars, range: TimeRange | undefined): Promise<DataFrame> {
    const traceId = getTemplateSrv().replace(target.query ?? '', scopedVars).trim();
    const resolution = await this.resolutions.get(this.client, this.options.spanIndex ?? '', this.options.schema ?? 'auto', this.options.fieldOverrides);
    const result = await runTraceQuery(this.client, {
      traceId,
      resolution,
      window: target.useTimeRange && range ? timeWindow(range) : undefined,
      maxSpans: this.options.maxTraceSpans ?? DEFAULT_MAX_TRACE_SPANS,
    });
    return traceRowsToFrame(result.rows, {
      refId: target.refId,
      notices: result.notices,
      custom: { traceId: result.traceId, truncated: result.truncated, spanCount: result.facts.spanCount, depth: result.facts.depth, rootService: result.facts.rootServiceName },
    });
  }

  async testDatasource(): Promise<HealthResult> {
    this.resolutions.clear();
    return checkHealth(this.client, this.options);
  }
}

export function timeWindow(range: TimeRange): TimeWindow {
  return { fromNs: millisToNanosFloat(range.from.valueOf()), toNs: millisToNanosFloat(range.to.valueOf()) };
}

/** Messages users can act on; anything unexpected is named, without a stack trace. */
export function userMessage(error: unknown): string {
  if (error instanceof QueryError || isEngineError(error)) {
    return error.message;
  }
  return `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
}
