/**
 * Span metrics as Grafana frames. Over time: one frame per group and statistic, shaped as
 * Grafana's Prometheus data source returns series (`timeseries-multi`: a `time` field and one
 * number field carrying the group as labels and a readable `displayNameFromDS`), so a time series
 * panel draws, names and overrides them as it does Tempo's RED metrics. Rate is requests per
 * second (`reqps`), the error rate the fraction of requests that failed (`percentunit`),
 * durations in ms. The operations table is one frame whose operations link to their slowest
 * traces in this data source's search.
 */
import { createDataFrame, type DataFrame, DataFrameType, type DataLink, FieldType, type QueryResultMetaNotice } from '@grafana/data';

import type { MetricsBucket, MetricsSeries, OperationRow } from '../query/metrics';
import type { FrameOptions, LinkTarget } from './searchFrames';

export interface MetricsFrameOptions extends FrameOptions {
  /** The interval and the range (epoch ms), to turn counts into rates per second. */
  stepMs: number;
  fromMs: number;
  toMs: number;
  /** The label the groups are told apart by (`service`, `operation`, an attribute key); none for all spans. */
  groupKey?: string;
}

interface Statistic {
  name: string;
  title: string;
  unit: string;
  value: (bucket: MetricsBucket, seconds: number) => number | null;
}

const STATISTICS: Statistic[] = [
  { name: 'rate', title: 'requests/s', unit: 'reqps', value: (bucket, seconds) => bucket.requests / seconds },
  // No request, no error rate: a gap, not a misleading 0 %.
  { name: 'errorRate', title: 'error rate', unit: 'percentunit', value: (bucket) => (bucket.requests > 0 ? bucket.errors / bucket.requests : null) },
  { name: 'p50', title: 'p50', unit: 'ms', value: (bucket) => bucket.p50Ms },
  { name: 'p90', title: 'p90', unit: 'ms', value: (bucket) => bucket.p90Ms },
  { name: 'p99', title: 'p99', unit: 'ms', value: (bucket) => bucket.p99Ms },
];

function noticesMeta(notices: QueryResultMetaNotice[] | undefined): { notices?: QueryResultMetaNotice[] } {
  return notices && notices.length > 0 ? { notices } : {};
}

/**
 * The seconds of an interval inside the range: the first and last intervals are usually cut by
 * it, and dividing their spans by a whole step would draw a dip at both ends (at "now" on every refresh).
 */
function coveredSeconds(time: number, options: MetricsFrameOptions): number {
  const coveredMs = Math.min(time + options.stepMs, options.toMs) - Math.max(time, options.fromMs);
  return (coveredMs > 0 ? coveredMs : options.stepMs) / 1000;
}

/** One frame per group and statistic; the warnings ride on the first. Pure. */
export function metricsFrames(series: MetricsSeries[], options: MetricsFrameOptions): DataFrame[] {
  const frames: DataFrame[] = [];
  for (const { group, buckets } of series) {
    for (const statistic of STATISTICS) {
      const displayName = options.groupKey ? `${group} ${statistic.title}` : statistic.title;
      frames.push(
        createDataFrame({
          name: displayName,
          refId: options.refId,
          fields: [
            { name: 'time', type: FieldType.time, config: {}, values: buckets.map((bucket) => bucket.time) },
            {
              name: statistic.name,
              type: FieldType.number,
              labels: options.groupKey ? { [options.groupKey]: group } : undefined,
              config: { unit: statistic.unit, displayNameFromDS: displayName },
              values: buckets.map((bucket) => statistic.value(bucket, coveredSeconds(bucket.time, options))),
            },
          ],
          meta: { type: DataFrameType.TimeSeriesMulti, typeVersion: [0, 1], preferredVisualisationType: 'graph', ...(frames.length === 0 ? noticesMeta(options.notices) : {}) },
        })
      );
    }
  }
  if (frames.length === 0) {
    // No group had a span: an empty series still carries the warnings to the panel.
    frames.push(
      createDataFrame({
        name: 'requests/s',
        refId: options.refId,
        fields: [
          { name: 'time', type: FieldType.time, config: {}, values: [] },
          { name: 'rate', type: FieldType.number, config: { unit: 'reqps' }, values: [] },
        ],
        meta: { type: DataFrameType.TimeSeriesMulti, typeVersion: [0, 1], preferredVisualisationType: 'graph', ...noticesMeta(options.notices) },
      })
    );
  }
  return frames;
}

export interface OperationTableFrameOptions extends FrameOptions {
  /** Filters the table was made with (tags, status, durations) for the linked search to keep. */
  searchQuery?: Record<string, string>;
}

/** The internal link from an operation to the slowest traces of it (and its service) in this data source. */
export function slowestTracesLink(target: LinkTarget, searchQuery: Record<string, string> = {}): DataLink {
  return {
    title: 'Slowest traces of ${__value.raw}',
    url: '',
    internal: {
      datasourceUid: target.datasourceUid,
      datasourceName: target.datasourceName,
      query: { ...searchQuery, queryType: 'search', service: '${__data.fields.service}', operation: '${__value.raw}', sort: 'slowest' },
    },
  };
}

/** The operations table: rate, error rate and duration percentiles per service and operation. Pure. */
export function operationTableFrame(rows: OperationRow[], target: LinkTarget, options: OperationTableFrameOptions = {}): DataFrame {
  return createDataFrame({
    name: 'Operations',
    refId: options.refId,
    fields: [
      { name: 'service', type: FieldType.string, config: { displayName: 'Service' }, values: rows.map((row) => row.service) },
      { name: 'operation', type: FieldType.string, config: { displayName: 'Operation', links: [slowestTracesLink(target, options.searchQuery)] }, values: rows.map((row) => row.operation) },
      { name: 'rate', type: FieldType.number, config: { displayName: 'Rate', unit: 'reqps' }, values: rows.map((row) => row.ratePerSecond) },
      { name: 'errorRate', type: FieldType.number, config: { displayName: 'Error rate', unit: 'percentunit' }, values: rows.map((row) => (row.requests > 0 ? row.errors / row.requests : null)) },
      { name: 'p50', type: FieldType.number, config: { displayName: 'p50', unit: 'ms' }, values: rows.map((row) => row.p50Ms) },
      { name: 'p95', type: FieldType.number, config: { displayName: 'p95', unit: 'ms' }, values: rows.map((row) => row.p95Ms) },
      { name: 'p99', type: FieldType.number, config: { displayName: 'p99', unit: 'ms' }, values: rows.map((row) => row.p99Ms) },
    ],
    meta: { preferredVisualisationType: 'table', ...noticesMeta(options.notices) },
  });
}
