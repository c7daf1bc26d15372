import { createTheme, type Field, getDisplayProcessor } from '@grafana/data';

import { traceStatsFrame, withoutAttributeLabel } from '../../../src/frames/traceStatsFrame';
import type { TraceStats, TraceStatsRow } from '../../../src/query/traceStats';

const figures = { spans: 2, totalMs: 70.5, avgMs: 35.25, minMs: 10.001, maxMs: 60.499, selfTotalMs: 70.5, selfAvgMs: 35.25, selfMinMs: 10.001, selfMaxMs: 60.499, selfPercent: 32.79 };
const rowWith = (names: Partial<TraceStatsRow>, changes: Partial<TraceStatsRow> = {}): TraceStatsRow => ({ ...names, ...figures, ...changes });

const stats = (groupBy: TraceStats['groupBy'], rows: TraceStatsRow[]): TraceStats => ({ groupBy, traceDurationMs: 215, spanCount: 7, rows, warnings: [] });

const values = (field: Field) => field.values;
const byName = (frame: ReturnType<typeof traceStatsFrame>, name: string) => frame.fields.find((field) => field.name === name)!;

describe('traceStatsFrame', () => {
  const frame = traceStatsFrame(
    stats('operation', [rowWith({ service: 'email', operation: 'send' }), rowWith({ service: 'cart', operation: 'get' }, { spans: 1, selfTotalMs: 50, selfPercent: null })]),
    { refId: 'A', traceId: 'abc', notices: [{ severity: 'warning', text: 'trace truncated' }] }
  );

  it('is a table: the service and operation, then the statistics in the order Jaeger UI shows them', () => {
    expect(frame.fields.map((field) => [field.name, field.config.displayName])).toEqual([
      ['service', 'Service'],
      ['operation', 'Operation'],
      ['spans', 'Spans'],
      ['total', 'Total'],
      ['avg', 'Avg'],
      ['min', 'Min'],
      ['max', 'Max'],
      ['selfTotal', 'Self total'],
      ['selfAvg', 'Self avg'],
      ['selfMin', 'Self min'],
      ['selfMax', 'Self max'],
      ['selfPercent', 'Self % of trace'],
    ]);
    expect([frame.name, frame.refId, frame.meta?.preferredVisualisationType, frame.length]).toEqual(['Trace statistics', 'A', 'table', 2]);
  });

  it('gives durations in ms and the share in percent, with a description for every statistic', () => {
    expect(frame.fields.slice(2).map((field) => field.config.unit)).toEqual([undefined, 'ms', 'ms', 'ms', 'ms', 'ms', 'ms', 'ms', 'ms', 'percent']);
    expect(frame.fields.slice(2).every((field) => (field.config.description ?? '').length > 0)).toBe(true);
  });

  it('keeps the rows in the order given, with their values to the microsecond, and a share the trace has not as null', () => {
    expect(values(byName(frame, 'service'))).toEqual(['email', 'cart']);
    expect(values(byName(frame, 'operation'))).toEqual(['send', 'get']);
    expect(values(byName(frame, 'spans'))).toEqual([2, 1]);
    expect(values(byName(frame, 'min'))).toEqual([10.001, 10.001]);
    expect(values(byName(frame, 'selfTotal'))).toEqual([70.5, 50]);
    expect(values(byName(frame, 'selfPercent'))).toEqual([32.79, null]);
  });

  it("carries the trace's notices, id, grouping, duration and span count", () => {
    expect(frame.meta?.notices).toEqual([{ severity: 'warning', text: 'trace truncated' }]);
    expect(frame.meta?.custom).toEqual({ traceId: 'abc', groupBy: 'operation', traceDurationMs: 215, spanCount: 7 });
  });

  it('names the groups by service alone when grouped by service', () => {
    const byService = traceStatsFrame(stats('service', [rowWith({ service: 'email' })]));
    expect(byService.fields.map((field) => field.name).slice(0, 2)).toEqual(['service', 'spans']);
    expect(byService.meta?.notices).toBeUndefined();
  });
});

describe('traceStatsFrame by attribute', () => {
  const frame = traceStatsFrame(stats('attribute:http.method', [rowWith({ value: 'GET' }), rowWith({ value: null }), rowWith({ value: '' })]));
  const attribute = frame.fields[0];

  it('names the groups by the attribute, headed by its key, the spans without it as null', () => {
    expect([attribute.name, attribute.config.displayName, frame.fields[1].name]).toEqual(['attribute', 'http.method', 'spans']);
    expect(values(attribute)).toEqual(['GET', null, '']);
  });

  it("shows the null group as 'Without attribute: KEY' in Grafana, while the data keeps it apart from a value of that text", () => {
    const display = getDisplayProcessor({ field: attribute, theme: createTheme() });
    expect([null, 'GET', withoutAttributeLabel('http.method')].map((value) => display(value).text)).toEqual(['Without attribute: http.method', 'GET', 'Without attribute: http.method']);
    // The data keeps them apart: the null group is null, a value with the same text is a string.
    expect(values(attribute)[1]).toBeNull();
  });
});
