import type { DataQuery, DataSourceJsonData } from '@grafana/schema';

/** What a query asks for. Later issues add the other kinds listed in ARCHITECTURE.md. */
export type QueryType = 'traceId' | 'search' | 'scatter' | 'histogram' | 'serviceMap' | 'metrics' | 'logs' | 'upload' | 'traceStats';

/** The storage schemas the plugin knows by name (`auto` means: detect from the mapping). */
export const SCHEMA_NAMES = ['otel', 'otel-raw', 'ecs', 'jaeger', 'data-prepper', 'elastic-apm', 'zipkin', 'bklog', 'ss4o', 'bklog-log'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];
/** `custom`: a layout no producer preset matches, described by `fieldOverrides`. */
export type SchemaSetting = 'auto' | 'custom' | SchemaName;

/** Where a custom layout keeps each logical field (dotted paths as in the mapping). */
export interface FieldOverrides {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  serviceName?: string;
  name?: string;
  start?: string;
  duration?: string;
  durationUnit?: 'ns' | 'us' | 'ms';
  statusCode?: string;
  attributesPrefix?: string;
}

export interface EsTracesQuery extends DataQuery {
  queryType?: QueryType;
  /**
   * The trace id for `traceId` and `traceStats` queries. Named `query` because Grafana's trace view follows span
   * references by rewriting exactly this property.
   */
  query?: string;
  /** Narrow a trace-id lookup to the dashboard time range instead of searching all time. */
  useTimeRange?: boolean;
  /** Search, scatter and histogram: the service every matching span belongs to. */
  service?: string;
  /** Search, scatter and histogram: the span name (operation) a matching span has. */
  operation?: string;
  /** Attribute filters in logfmt: `http.response.status_code=500 name="a b"`. */
  tags?: string;
  /** Durations as Jaeger writes them: `1.2s`, `100ms`, `500us`. */
  minDuration?: string;
  maxDuration?: string;
  status?: SpanStatusFilter;
  /**
   * Metrics: the span kind every counted span has (`server`, `client`, `producer`, `consumer`,
   * `internal`; several comma-separated, or a variable).
   */
  kind?: string;
  /** The most traces returned (default 20). */
  limit?: number;
  sort?: SearchSort;
  /** Scatter: one point per matching span instead of per trace. */
  perSpan?: boolean;
  /**
   * Metrics: what the series are split by: '' or unset for all spans together, `service`,
   * `operation`, or an attribute key (`attribute:KEY` where the key is `service` or `operation`).
   */
  metricsGroupBy?: string;
  /** Metrics: one row per service and operation over the whole range instead of series over time. */
  metricsTable?: boolean;
  /**
   * Trace statistics (of the trace whose id is in `query`): what the spans are grouped by: '' or
   * unset for each service's operations, `service`, or an attribute key (span, else resource
   * attribute; `attribute:KEY` where the key is `service` or `operation`).
   */
  statsGroupBy?: string;
  /** Logs: the trace id every log line carries. */
  traceId?: string;
  /** Logs: the span id every log line carries. */
  spanId?: string;
  /** Logs: severity (case-insensitive), e.g. error. */
  severity?: string;
  /** Logs: text the body contains, taken literally. */
  text?: string;
  /**
   * Logs: search the time of the span (or, without a span id, of the trace) widened by the
   * tracesToLogsV2 shifts, instead of the dashboard range. Set by the trace view's span links.
   */
  spanWindow?: boolean;
  /** Logs: the volume over time (counts per severity) instead of the lines. */
  logsVolume?: boolean;
}

export type SpanStatusFilter = 'error' | 'ok' | 'unset';
export type SearchSort = 'recent' | 'slowest';
export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 1000;

/** What a template variable lists. */
export interface EsTracesVariableQuery {
  refId?: string;
  kind: 'services' | 'operations' | 'tagKeys' | 'tagValues';
  /** operations: of this service. */
  service?: string;
  /** tagValues: the values of this attribute. */
  tag?: string;
}

export const DEFAULT_QUERY: Partial<EsTracesQuery> = {
  queryType: 'traceId',
  query: '',
};

/** Spans of a range the service map joins for its edges before it samples traces instead (measured: see benchmarks/README.md). */
export const DEFAULT_SERVICE_MAP_SPANS = 5_000;

/** Default cap on the spans of one trace; beyond it the trace is truncated with a warning. */
export const DEFAULT_MAX_TRACE_SPANS = 100_000;

/** The logs schemas the plugin reads (`auto` detects them like span schemas). */
export const LOG_SCHEMA_NAMES = ['otel', 'otel-raw', 'ecs', 'elastic-apm', 'data-prepper', 'bklog', 'ss4o', 'bklog-log'] as const;
export type LogSchemaName = (typeof LOG_SCHEMA_NAMES)[number];

/** Grafana's trace-to-logs settings, under the key its trace view reads (`tracesToLogsV2`). */
export interface TracesToLogsOptions {
  /** The logs data source; unset means this data source. */
  datasourceUid?: string;
  /** Grafana interval strings such as `-2s`, `5m`; added to the span start and end. */
  spanStartTimeShift?: string;
  spanEndTimeShift?: string;
  filterByTraceID?: boolean;
  filterBySpanID?: boolean;
  /** Span or resource attributes to match in the logs; `value` renames the field (empty: same name). */
  tags?: Array<{ key: string; value?: string }>;
  customQuery?: boolean;
  query?: string;
}

/**
 * The logs data source types Grafana's trace view builds span-to-logs links for (its allow-list in
 * the trace-to-logs settings and `createSpanLink`), with the name a user knows each by.
 */
export const LOGS_TARGET_TYPES = {
  loki: 'Loki',
  elasticsearch: 'Elasticsearch',
  'grafana-opensearch-datasource': 'OpenSearch',
  'grafana-splunk-datasource': 'Splunk',
  'grafana-falconlogscale-datasource': 'Falcon LogScale',
  'googlecloud-logging-datasource': 'Google Cloud Logging',
  'victoriametrics-logs-datasource': 'VictoriaLogs',
} as const;

/** jsonData: visible to every viewer, so never a secret. */
export interface EsTracesOptions extends DataSourceJsonData {
  /** Node graph frames beside a trace, as Grafana's Jaeger and Tempo data sources' `nodeGraph.enabled`. */
  nodeGraph?: { enabled?: boolean };
  /**
   * The service map: the most spans of the range paired with their parents for its edges (default
   * 50,000); beyond it the edges come from a stated sample of traces.
   */
  serviceMap?: { maxSpans?: number };
  /** Index pattern holding spans (and, for schemas that keep them apart, span events). */
  spanIndex?: string;
  /** Index pattern holding correlated logs. */
  logsIndex?: string;
  schema?: SchemaSetting;
  /** Field paths of a custom layout, used when `schema` is `custom`. */
  fieldOverrides?: FieldOverrides;
  /** Cap on spans per trace (default 100,000). */
  maxTraceSpans?: number;
  /** Request timeout in seconds for each engine call (default 60). */
  timeoutSeconds?: number;
  /** The logs schema (`auto` detects it). */
  logsSchema?: 'auto' | LogSchemaName;
  tracesToLogsV2?: TracesToLogsOptions;
}
