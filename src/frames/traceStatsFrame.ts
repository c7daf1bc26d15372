/**
 * A trace's statistics (query/traceStats) as one table frame: the group's names first (service and
 * operation, service, or the attribute's value), then the span count, durations and self times in
 * ms (to the microsecond) and the self time's share of the trace in percent, each field with its
 * unit and a description Grafana's table shows as the column's tooltip. Rows come sorted by total
 * self time, the greatest first. Pure.
 */
import { createDataFrame, type DataFrame, type FieldConfig, FieldType, MappingType, SpecialValueMatch } from '@grafana/data';

import { groupByAttribute, type TraceStats, type TraceStatsRow } from '../query/traceStats';
import type { FrameOptions } from './searchFrames';

export interface TraceStatsFrameOptions extends FrameOptions {
  traceId?: string;
}

/** What Grafana's table shows for the group of spans without the attribute (its value is null). */
export function withoutAttributeLabel(key: string): string {
  return `Without attribute: ${key}`;
}

type NumberKey = Exclude<keyof TraceStatsRow, 'service' | 'operation' | 'value'>;

const STATISTICS: Array<{ name: string; key: NumberKey; config: FieldConfig }> = [
  { name: 'spans', key: 'spans', config: { displayName: 'Spans', description: 'Number of spans' } },
  { name: 'total', key: 'totalMs', config: { displayName: 'Total', unit: 'ms', description: "Sum of the spans' durations" } },
  { name: 'avg', key: 'avgMs', config: { displayName: 'Avg', unit: 'ms', description: 'Average duration of the spans' } },
  { name: 'min', key: 'minMs', config: { displayName: 'Min', unit: 'ms', description: 'Shortest duration of the spans' } },
  { name: 'max', key: 'maxMs', config: { displayName: 'Max', unit: 'ms', description: 'Longest duration of the spans' } },
  {
    name: 'selfTotal',
    key: 'selfTotalMs',
    config: { displayName: 'Self total', unit: 'ms', description: "Sum of the spans' self time: a span's duration less the time its children run inside it" },
  },
  { name: 'selfAvg', key: 'selfAvgMs', config: { displayName: 'Self avg', unit: 'ms', description: 'Average self time of the spans' } },
  { name: 'selfMin', key: 'selfMinMs', config: { displayName: 'Self min', unit: 'ms', description: 'Least self time of the spans' } },
  { name: 'selfMax', key: 'selfMaxMs', config: { displayName: 'Self max', unit: 'ms', description: 'Most self time of the spans' } },
  {
    name: 'selfPercent',
    key: 'selfPercent',
    config: { displayName: 'Self % of trace', unit: 'percent', decimals: 2, description: "Self total as a share of the trace's duration; spans running in parallel can take the sum of a column above 100 %" },
  },
];

/** The fields naming each group, by the grouping. */
function groupFields(stats: TraceStats) {
  const attribute = groupByAttribute(stats.groupBy);
  if (attribute !== undefined) {
    return [
      {
        name: 'attribute',
        type: FieldType.string,
        // The group without the attribute is null in the data, so no value can pass for it; the table shows it named.
        config: { displayName: attribute, mappings: [{ type: MappingType.SpecialValue as const, options: { match: SpecialValueMatch.Null, result: { text: withoutAttributeLabel(attribute) } } }] },
        values: stats.rows.map((row) => row.value ?? null),
      },
    ];
  }
  const service = { name: 'service', type: FieldType.string, config: { displayName: 'Service' }, values: stats.rows.map((row) => row.service) };
  if (stats.groupBy === 'service') {
    return [service];
  }
  return [service, { name: 'operation', type: FieldType.string, config: { displayName: 'Operation' }, values: stats.rows.map((row) => row.operation) }];
}

export function traceStatsFrame(stats: TraceStats, options: TraceStatsFrameOptions = {}): DataFrame {
  return createDataFrame({
    name: 'Trace statistics',
    refId: options.refId,
    fields: [
      ...groupFields(stats),
      ...STATISTICS.map(({ name, key, config }) => ({ name, type: FieldType.number, config, values: stats.rows.map((row) => row[key]) })),
    ],
    meta: {
      preferredVisualisationType: 'table',
      custom: { traceId: options.traceId, groupBy: stats.groupBy, traceDurationMs: stats.traceDurationMs, spanCount: stats.spanCount },
      notices: options.notices && options.notices.length > 0 ? options.notices : undefined,
    },
  });
}
