import { DataFrameType, FieldType } from '@grafana/data';

import { metricsFrames, operationTableFrame } from '../../../src/frames/metricsFrames';
import type { MetricsSeries, OperationRow } from '../../../src/query/metrics';

const target = { datasourceUid: 'es-uid', datasourceName: 'ES Traces' };
const T0 = 1_796_299_980_000;
const series: MetricsSeries[] = [
  {
    group: 'checkout',
    buckets: [
      { time: T0, requests: 120, errors: 6, p50Ms: 10, p90Ms: 20, p99Ms: 30 },
      { time: T0 + 60_000, requests: 0, errors: 0, p50Ms: null, p90Ms: null, p99Ms: null },
    ],
  },
];
const options = { refId: 'A', stepMs: 60_000, fromMs: T0, toMs: T0 + 120_000 };

describe('metrics series frames', () => {
  const frames = metricsFrames(series, { ...options, groupKey: 'service', notices: [{ severity: 'warning', text: 'skipped x' }] });

  it('gives one frame per group and statistic, as Prometheus returns series: a time field and a value with the group as labels', () => {
    expect(frames.map((frame) => frame.name)).toEqual(['checkout requests/s', 'checkout error rate', 'checkout p50', 'checkout p90', 'checkout p99']);
    const rate = frames[0];
    expect(rate.fields.map((field) => [field.name, field.type])).toEqual([
      ['time', FieldType.time],
      ['rate', FieldType.number],
    ]);
    expect(rate.fields[1].labels).toEqual({ service: 'checkout' });
    expect(rate.fields[1].config).toEqual({ unit: 'reqps', displayNameFromDS: 'checkout requests/s' });
    expect(rate.meta).toMatchObject({ type: DataFrameType.TimeSeriesMulti, typeVersion: [0, 1] });
    expect(frames.every((frame) => frame.refId === 'A')).toBe(true);
  });

  it('turns counts into requests per second, errors into a fraction of requests (a gap without requests), durations into ms', () => {
    expect(frames[0].fields[0].values).toEqual([T0, T0 + 60_000]);
    expect(frames[0].fields[1].values).toEqual([2, 0]);
    expect(frames[1].fields[1].config.unit).toBe('percentunit');
    expect(frames[1].fields[1].values).toEqual([0.05, null]);
    expect(frames[2].fields[1].config.unit).toBe('ms');
    expect(frames[4].fields[1].values).toEqual([30, null]);
  });

  it('divides by the part of an interval inside the range, so the ends of the range do not dip', () => {
    const cut = metricsFrames(series, { ...options, fromMs: T0 + 30_000, toMs: T0 + 90_000 });
    expect(cut[0].fields[1].values).toEqual([4, 0]);
  });

  it('carries the warnings once, on the first frame', () => {
    expect(frames[0].meta?.notices).toEqual([{ severity: 'warning', text: 'skipped x' }]);
    expect(frames.slice(1).map((frame) => frame.meta?.notices)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('names ungrouped series by the statistic alone, without labels', () => {
    const all = metricsFrames([{ ...series[0], group: 'all spans' }], options);
    expect(all[0].name).toBe('requests/s');
    expect(all[0].fields[1].labels).toBeUndefined();
  });

  it('still returns a frame, with the warnings, when no group has a span', () => {
    const empty = metricsFrames([], { ...options, groupKey: 'service', notices: [{ severity: 'warning', text: 'skipped x' }] });
    expect(empty).toHaveLength(1);
    expect(empty[0].length).toBe(0);
    expect(empty[0].meta?.notices).toEqual([{ severity: 'warning', text: 'skipped x' }]);
  });
});

describe('operations table frame', () => {
  const rows: OperationRow[] = [{ service: 'checkout', operation: 'GET /cart', requests: 40, ratePerSecond: 0.5, errors: 10, p50Ms: 5, p95Ms: 9, p99Ms: 12 }];
  const frame = operationTableFrame(rows, target, { refId: 'B', searchQuery: { status: 'error' } });

  it('is a table of service, operation, rate, error rate and duration percentiles with their units', () => {
    expect(frame.meta?.preferredVisualisationType).toBe('table');
    expect(frame.fields.map((field) => [field.name, field.config.unit])).toEqual([
      ['service', undefined],
      ['operation', undefined],
      ['rate', 'reqps'],
      ['errorRate', 'percentunit'],
      ['p50', 'ms'],
      ['p95', 'ms'],
      ['p99', 'ms'],
    ]);
    expect(frame.fields.map((field) => field.values[0])).toEqual(['checkout', 'GET /cart', 0.5, 0.25, 5, 9, 12]);
  });

  it("links each operation to this data source's search for that service and operation, slowest first, with the table's filters", () => {
    expect(frame.fields[1].config.links).toEqual([
      {
        title: 'Slowest traces of ${__value.raw}',
        url: '',
        internal: {
          datasourceUid: 'es-uid',
          datasourceName: 'ES Traces',
          query: { status: 'error', queryType: 'search', service: '${__data.fields.service}', operation: '${__value.raw}', sort: 'slowest' },
        },
      },
    ]);
  });
});
