import { FieldType } from '@grafana/data';

import { histogramFrame, logBuckets, searchFrame, spanScatterFrame, traceScatterFrame } from '../../../src/frames/searchFrames';
import type { TraceSummary } from '../../../src/query/search';
import { referenceSpan } from '../referenceSpan';

const target = { datasourceUid: 'es-uid', datasourceName: 'ES Traces' };
const traces: TraceSummary[] = [
  { traceId: 'b'.repeat(32), startMs: 2000, durationMs: 12.5, rootService: 'checkout', rootName: 'GET /cart', spans: 7, errors: 1, services: ['checkout', 'payment'] },
  { traceId: 'a'.repeat(32), startMs: 1000, durationMs: 3, rootService: 'frontend', rootName: 'GET /', spans: 2, errors: 0, services: ['frontend'] },
];

describe('search frame', () => {
  it('has the trace table fields in order, with a time-typed start and durations in ms', () => {
    const frame = searchFrame(traces, target, { refId: 'A' });
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['traceID', FieldType.string],
      ['startTime', FieldType.time],
      ['duration', FieldType.number],
      ['rootService', FieldType.string],
      ['rootName', FieldType.string],
      ['spans', FieldType.number],
      ['errors', FieldType.number],
      ['services', FieldType.string],
    ]);
    expect(frame.fields[2].config.unit).toBe('ms');
    expect(frame.fields[7].values).toEqual(['checkout, payment', 'frontend']);
    expect(frame.meta?.preferredVisualisationType).toBe('table');
    expect(frame.refId).toBe('A');
  });

  it('links every trace id to this data source with a traceId query', () => {
    const frame = searchFrame(traces, target);
    expect(frame.fields[0].config.links).toEqual([
      { title: 'Trace: ${__value.raw}', url: '', internal: { datasourceUid: 'es-uid', datasourceName: 'ES Traces', query: { query: '${__value.raw}', queryType: 'traceId' } } },
    ]);
  });

  it('leaves the root span, errors and services of a trace ranked but not yet summarised empty, not zero', () => {
    const frame = searchFrame([{ traceId: 'c'.repeat(32), startMs: 3000, durationMs: 40, spans: 9 }, traces[0]], target, { custom: { partial: true } });
    expect(frame.fields.map((f) => f.values[0])).toEqual(['c'.repeat(32), 3000, 40, null, null, 9, null, null]);
    expect(frame.fields.map((f) => f.values[1])).toEqual(['b'.repeat(32), 2000, 12.5, 'checkout', 'GET /cart', 7, 1, 'checkout, payment']);
    expect(frame.meta?.custom).toEqual({ partial: true });
  });

  it('carries search warnings as notices', () => {
    expect(searchFrame([], target, { notices: [{ severity: 'warning', text: '1 of 2 shards failed' }] }).meta?.notices).toEqual([{ severity: 'warning', text: '1 of 2 shards failed' }]);
  });
});

describe('scatter frames', () => {
  it('gives one point per trace, oldest first, with an error flag and the trace link', () => {
    const frame = traceScatterFrame(traces, target);
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'duration', 'error', 'service', 'name', 'traceID']);
    expect(frame.fields[0].values).toEqual([1000, 2000]);
    expect(frame.fields[2].values).toEqual([false, true]);
    expect(frame.fields[5].config.links?.[0].internal?.query).toEqual({ query: '${__value.raw}', queryType: 'traceId' });
  });

  it('gives one point per span with its own service, name and span id', () => {
    const span = { ...referenceSpan, statusCode: 2 as const };
    const frame = spanScatterFrame([span], target);
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'duration', 'error', 'service', 'name', 'traceID', 'spanID']);
    expect(frame.fields.map((f) => f.values[0])).toEqual([Number(span.startTimeUnixNano) / 1e6, Number(span.durationNano) / 1e6, true, span.serviceName, span.name, span.traceId, span.spanId]);
  });
});

describe('duration distribution', () => {
  it('puts durations in contiguous log2 buckets, empty ones included', () => {
    expect(logBuckets([1, 1.5, 3, 17])).toEqual([
      { xMin: 1, xMax: 2, count: 2 },
      { xMin: 2, xMax: 4, count: 1 },
      { xMin: 4, xMax: 8, count: 0 },
      { xMin: 8, xMax: 16, count: 0 },
      { xMin: 16, xMax: 32, count: 1 },
    ]);
  });

  it('gathers zero and sub-microsecond durations in a first bucket starting at 0', () => {
    expect(logBuckets([0, 0.0005, 0.001])).toEqual([
      { xMin: 0, xMax: 2 ** -10, count: 2 },
      { xMin: 2 ** -10, xMax: 2 ** -9, count: 1 },
    ]);
  });

  it('is a pre-bucketed histogram frame (xMin, xMax, count)', () => {
    const frame = histogramFrame([5, 6]);
    expect(frame.fields.map((f) => [f.name, f.values])).toEqual([['xMin', [4]], ['xMax', [8]], ['count', [2]]]);
    expect(histogramFrame([]).length).toBe(0);
  });
});
