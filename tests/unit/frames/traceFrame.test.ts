import { FieldType, type TraceSpanRow } from '@grafana/data';
import fc from 'fast-check';

import { traceSpansToFrame } from '../../../src/frames/traceFrame';
import { spanToFrameRow, stackTracesOf } from '../../../src/frames/traceRows';
import type { LogicalSpan } from '../../../src/proto/model';
import { attributesArb, logicalSpanArb, runs } from '../proto/properties/generators';
import { referenceSpan } from '../referenceSpan';

const span: LogicalSpan = {
  ...referenceSpan,
  attributes: { 'http.response.status_code': 504, ratio: 0.25, vip: true, tags: ['a', 'b'], nested: { k: 1 } },
  resourceAttributes: { 'service.name': 'checkout', 'service.namespace': 'shop' },
  scope: { name: 'io.opentelemetry.tomcat', version: '2.4.0' },
  traceState: 'rojo=00f067aa0ba902b7',
  events: [{ timeUnixNano: BigInt('1715678467153456789'), name: 'exception', attributes: { 'exception.stacktrace': 'Error: boom\n  at a.js:1' } }],
  links: [{ traceId: '11112222333344445555666677778888', spanId: '1111222233334444', traceState: 'k=v', attributes: { why: 'retry' } }],
  droppedEventsCount: 3,
  source: { schema: 'otel', index: 'traces', id: '1', warnings: ['stored more than once (exporter retry); shown once'] },
};

describe('spanToFrameRow', () => {
  it('maps a span to Grafana trace row fields in milliseconds with typed tags', () => {
    expect(spanToFrameRow(span)).toEqual({
      traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanID: '00f067aa0ba902b7',
      parentSpanID: '5f2c1a9e7b3d4c61',
      operationName: 'GET /api/cart',
      serviceName: 'checkout',
      serviceNamespace: 'shop',
      serviceTags: [
        { key: 'service.name', value: 'checkout', type: 'string' },
        { key: 'service.namespace', value: 'shop', type: 'string' },
      ],
      startTime: 1715678467123.456789,
      duration: 42.5,
      logs: [{ timestamp: 1715678467153.456789, name: 'exception', fields: [{ key: 'exception.stacktrace', value: 'Error: boom\n  at a.js:1', type: 'string' }] }],
      references: [{ traceID: '11112222333344445555666677778888', spanID: '1111222233334444', tags: [{ key: 'why', value: 'retry', type: 'string' }, { key: 'w3c.tracestate', value: 'k=v', type: 'string' }] }],
      tags: [
        { key: 'http.response.status_code', value: 504, type: 'int64' },
        { key: 'ratio', value: 0.25, type: 'float64' },
        { key: 'vip', value: true, type: 'bool' },
        { key: 'tags', value: '["a","b"]', type: 'array' },
        { key: 'nested', value: '{"k":1}', type: 'map' },
      ],
      kind: 'server',
      statusCode: 2,
      statusMessage: 'upstream timeout',
      instrumentationLibraryName: 'io.opentelemetry.tomcat',
      instrumentationLibraryVersion: '2.4.0',
      traceState: 'rojo=00f067aa0ba902b7',
      warnings: ['stored more than once (exporter retry); shown once', 'the SDK dropped 3 events of this span (limits)'],
      stackTraces: ['Error: boom\n  at a.js:1'],
    });
  });

  it('shows an unspecified kind as no kind, as Tempo does, and every other kind by its name', () => {
    expect(spanToFrameRow({ ...span, kind: 'unspecified' }).kind).toBe('');
    expect(['internal', 'server', 'client', 'producer', 'consumer'].map((kind) => spanToFrameRow({ ...span, kind: kind as LogicalSpan['kind'] }).kind)).toEqual(['internal', 'server', 'client', 'producer', 'consumer']);
  });

  it('takes stack traces only from exception events and the span attribute', () => {
    const other = { ...span, events: [{ timeUnixNano: BigInt(1), name: 'log', attributes: { 'exception.stacktrace': 'not an exception event' } }], attributes: {} };
    expect(stackTracesOf(other)).toEqual([]);
  });
});

describe('traceSpansToFrame', () => {
  it('builds the trace frame Grafana renders as a trace view and exports as OTLP', () => {
    const frame = traceSpansToFrame([span], { refId: 'A', notices: [{ severity: 'warning', text: 'trace truncated' }] });
    expect(frame.refId).toBe('A');
    expect(frame.length).toBe(1);
    expect(frame.meta?.preferredVisualisationType).toBe('trace');
    expect(frame.meta?.custom?.traceFormat).toBe('otlp');
    expect(frame.meta?.notices).toEqual([{ severity: 'warning', text: 'trace truncated' }]);
    const names = frame.fields.map((field) => field.name);
    expect(names.slice(0, 6)).toEqual(['traceID', 'spanID', 'parentSpanID', 'operationName', 'serviceName', 'serviceNamespace']);
    const byName = Object.fromEntries(frame.fields.map((field) => [field.name, field]));
    expect(byName.startTime.type).toBe(FieldType.number);
    expect(byName.startTime.config.unit).toBe('ms');
    expect(byName.statusCode.values[0]).toBe(2);
    expect(byName.kind.values[0]).toBe('server');
    expect(byName.tags.type).toBe(FieldType.other);
  });
});

describe('traceSpansToFrame columns', () => {
  const columnsOf = (spans: LogicalSpan[]) => Object.fromEntries(traceSpansToFrame(spans).fields.map((field) => [field.name, field.values]));

  it('holds in each column what spanToFrameRow gives for that field, span by span', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(logicalSpanArb, attributesArb, fc.boolean()), { maxLength: 12 }), (drawn) => {
        // Resources drawn per span, some shared by content across spans of a service, some not.
        const spans = drawn.map(([generated, resource, shared]) => ({ ...generated, resourceAttributes: shared ? { 'service.name': generated.serviceName } : { ...resource, 'service.name': generated.serviceName } }));
        const columns = columnsOf(spans);
        const rows = spans.map(spanToFrameRow);
        for (const name of Object.keys(rows[0] ?? {}) as Array<keyof TraceSpanRow>) {
          expect({ name, values: columns[name] }).toEqual({ name, values: rows.map((row) => row[name]) });
        }
        expect(Object.keys(columns)).toHaveLength(20);
      }),
      runs(200)
    );
  });

  it('builds the service tags of spans whose resources are equal once, and keeps different resources of one service apart', () => {
    const resource = () => ({ 'service.name': 'checkout', 'host.name': 'h1', 'k8s.labels': { app: 'a' } });
    const spans = [
      { ...span, spanId: '0000000000000001', resourceAttributes: resource() },
      { ...span, spanId: '0000000000000002', resourceAttributes: resource() },
      { ...span, spanId: '0000000000000003', resourceAttributes: { ...resource(), 'host.name': 'h2' } },
      { ...span, spanId: '0000000000000004', resourceAttributes: { ...resource(), 'k8s.labels': { app: 'b' } } },
      { ...span, spanId: '0000000000000005', resourceAttributes: { 'service.name': 'checkout', 'host.name': 'h1' } },
    ];
    const tags = columnsOf(spans).serviceTags;
    expect(tags[1]).toBe(tags[0]);
    expect(new Set(tags).size).toBe(4);
    expect(tags[2]).toContainEqual({ key: 'host.name', value: 'h2', type: 'string' });
    expect(tags[3]).toContainEqual({ key: 'k8s.labels', value: '{"app":"b"}', type: 'map' });
    expect(tags[4]).toHaveLength(2);
  });
});
