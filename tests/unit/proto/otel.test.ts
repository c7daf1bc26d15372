import { otelDocumentToEvent, otelDocumentToSpan, otelSchema, spanToOtelDocument } from '../../../src/proto/otel';
import type { LogicalSpan } from '../../../src/proto/model';
import { hit as sharedHit } from '../referenceSpan';

/** The fake span of storage-schemas.md, as the exporter writes it in `otel` mode. */
const referenceDocument = {
  '@timestamp': '1715678467123.456789',
  data_stream: { type: 'traces', dataset: 'generic.otel', namespace: 'default' },
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  parent_span_id: '5f2c1a9e7b3d4c61',
  name: 'GET /api/cart',
  kind: 'Server',
  duration: 42500000,
  attributes: { 'http.request.method': 'GET', 'http.route': '/api/cart', 'http.response.status_code': 504 },
  status: { code: 'Error', message: 'upstream timeout' },
  resource: { attributes: { 'service.name': 'checkout', 'service.version': '2.3.1', 'k8s.pod.name': 'checkout-7d9f' } },
  scope: { name: 'io.opentelemetry.tomcat-10.0', version: '2.4.0' },
};

const referenceEvent = {
  '@timestamp': '1715678467153.456789',
  data_stream: { type: 'logs', dataset: 'generic.otel', namespace: 'default' },
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  event_name: 'cache.miss',
  attributes: { 'cache.key': 'cart:42', 'event.name': 'cache.miss' },
  resource: { attributes: { 'service.name': 'checkout' } },
  scope: { name: 'io.opentelemetry.tomcat-10.0' },
};

const hit = (source: Record<string, unknown>, id = '1') => sharedHit(source, id, 'traces-generic.otel-default');

describe('otel documents -> logical spans', () => {
  it('reads every field of the reference span with exact nanosecond times', () => {
    const span = otelDocumentToSpan(hit(referenceDocument)) as LogicalSpan;
    expect(span).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: '5f2c1a9e7b3d4c61',
      name: 'GET /api/cart',
      serviceName: 'checkout',
      kind: 'server',
      startTimeUnixNano: BigInt('1715678467123456789'),
      durationNano: BigInt(42500000),
      statusCode: 2,
      statusMessage: 'upstream timeout',
      attributes: { 'http.request.method': 'GET', 'http.route': '/api/cart', 'http.response.status_code': 504 },
      scope: { name: 'io.opentelemetry.tomcat-10.0', version: '2.4.0' },
      source: { schema: 'otel', index: 'traces-generic.otel-default', id: '1', warnings: [] },
    });
  });

  it('reads a span event document and drops the event.name attribute the exporter added', () => {
    expect(otelDocumentToEvent(hit(referenceEvent))).toEqual({
      spanId: '00f067aa0ba902b7',
      event: { timeUnixNano: BigInt('1715678467153456789'), name: 'cache.miss', attributes: { 'cache.key': 'cart:42' }, droppedAttributesCount: undefined },
    });
  });

  it('attaches event documents to their span when both come back in one answer', () => {
    const { spans, warnings } = otelSchema.readHits([hit(referenceEvent, 'e1'), hit(referenceDocument, 's1')]);
    expect(warnings).toEqual([]);
    expect(spans).toHaveLength(1);
    expect(spans[0].events.map((event) => event.name)).toEqual(['cache.miss']);
  });

  it('reads nested object paths the same as dotted keys (synthetic or dedotted _source)', () => {
    const nested = { ...referenceDocument, resource: { attributes: { service: { name: 'checkout' } } }, status: { code: 'Ok' } };
    const span = otelDocumentToSpan(hit(nested)) as LogicalSpan;
    expect(span.serviceName).toBe('checkout');
    expect(span.statusCode).toBe(1);
  });

  it('skips documents without ids or start, counting them in one warning', () => {
    const { spans, warnings } = otelSchema.readHits([
      hit({ ...referenceDocument, trace_id: 42 }, 'a'),
      hit({ ...referenceDocument, span_id: '' }, 'b'),
      hit({ ...referenceDocument, '@timestamp': 'not a time' }, 'c'),
      hit(referenceDocument, 'd'),
    ]);
    expect(spans.map((span) => span.source.id)).toEqual(['d']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^3 documents were skipped because they could not be read as spans \(document traces-generic.otel-default\/a has no valid trace_id\/span_id; .*\/b .*; .*\/c has no readable @timestamp\)/);
  });

  it('shows a span with garbage values, with warnings instead of throwing (links that are no list among them)', () => {
    const span = otelDocumentToSpan(hit({ ...referenceDocument, duration: 'long', name: ['x'], kind: 7, status: 'broken', attributes: 'nope', links: 'none' })) as LogicalSpan;
    expect(span.durationNano).toBe(BigInt(0));
    expect(span.kind).toBe('unspecified');
    expect(span.statusCode).toBe(0);
    expect(span.attributes).toEqual({});
    expect(span.links).toEqual([]);
    expect(span.source.warnings).toEqual(['the document has no valid duration; shown as 0', 'the document has no span name', 'the stored links are a string, not a list, and are left out']);
  });

  it('keeps a huge attribute value whole', () => {
    const huge = 'x'.repeat(1_000_000);
    const span = otelDocumentToSpan(hit({ ...referenceDocument, attributes: { big: huge } })) as LogicalSpan;
    expect((span.attributes.big as string).length).toBe(1_000_000);
  });
});

describe('logical spans -> otel documents', () => {
  it('writes the reference document exactly as the exporter does', () => {
    const span = otelDocumentToSpan(hit(referenceDocument)) as LogicalSpan;
    expect(spanToOtelDocument(span)).toEqual(referenceDocument);
  });

  it('puts events in the -logs index beside the spans', () => {
    const span = otelDocumentToSpan(hit(referenceDocument)) as LogicalSpan;
    span.events = [{ timeUnixNano: BigInt('1715678467153456789'), name: 'cache.miss', attributes: { 'cache.key': 'cart:42' } }];
    const written = otelSchema.writeSpans([span], 'traces');
    expect(written.map((w) => w.index)).toEqual(['traces', 'traces-logs']);
    // The event document carries the span's whole resource and scope.
    expect(written[1].document).toEqual({ ...referenceEvent, resource: referenceDocument.resource, scope: referenceDocument.scope });
  });

  it('keeps a zero duration (it is a value, not an omitted field)', () => {
    const span = otelDocumentToSpan(hit({ ...referenceDocument, duration: 0 })) as LogicalSpan;
    expect(spanToOtelDocument(span).duration).toBe(0);
  });
});

describe('mapping the producer gets', () => {
  it('is dynamic on OpenSearch and Elasticsearch before 8.16, the otel-data template from 8.16', () => {
    expect(otelSchema.producerMapping({ distribution: 'opensearch', major: 2, minor: 19 })).toBe('dynamic');
    expect(otelSchema.producerMapping({ distribution: 'elasticsearch', major: 7, minor: 10 })).toBe('dynamic');
    expect(otelSchema.producerMapping({ distribution: 'elasticsearch', major: 8, minor: 16 })).toBe('template');
  });
});
