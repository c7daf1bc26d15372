import { dataPrepperSchema } from '../../../src/proto/dataPrepper';
import { elasticApmSchema } from '../../../src/proto/elasticApm';
import { jaegerSchema } from '../../../src/proto/jaeger';
import { otelRawSchema } from '../../../src/proto/otelRaw';
import { SPAN_SCHEMAS } from '../../../src/proto/registry';
import type { LogicalSpan } from '../../../src/proto/model';
import { zipkinSchema } from '../../../src/proto/zipkin';
import { hit, referenceSpan } from '../referenceSpan';

const sample = referenceSpan;

/** Where each schema keeps the ids and the start time in the documents it writes. */
const STORED: Record<string, { traceId: string; spanId: string[]; start: string }> = {
  otel: { traceId: 'trace_id', spanId: ['span_id'], start: '@timestamp' },
  'otel-raw': { traceId: 'TraceId', spanId: ['SpanId'], start: '@timestamp' },
  ecs: { traceId: 'trace.id', spanId: ['span.id'], start: '@timestamp' },
  jaeger: { traceId: 'traceID', spanId: ['spanID'], start: 'startTime' },
  'data-prepper': { traceId: 'traceId', spanId: ['spanId'], start: 'startTime' },
  'elastic-apm': { traceId: 'trace', spanId: ['span', 'transaction'], start: 'timestamp' },
  zipkin: { traceId: 'traceId', spanId: ['id'], start: 'timestamp' },
  bklog: { traceId: 'trace_id', spanId: ['span_id'], start: 'start_time' },
  'bklog-log': { traceId: 'traceID', spanId: ['spanID'], start: 'startTime' },
  ss4o: { traceId: 'traceId', spanId: ['spanId'], start: 'startTime' },
};

describe.each(SPAN_SCHEMAS.map((schema) => [schema.name, schema] as const))('schema %s with malformed documents', (name, schema) => {
  const written = schema.writeSpans([sample], 'spans').find((doc) => doc.index === 'spans')!.document;
  const without = (...keys: string[]) => Object.fromEntries(Object.entries(written).filter(([k]) => !keys.includes(k)));
  const keys = STORED[name];

  it('reads its own document back', () => {
    const { spans, warnings } = schema.readHits([hit(written)]);
    expect(warnings).toEqual([]);
    // Zipkin stores span names lower-cased.
    expect(spans.map((span) => [span.traceId, span.spanId, span.name, span.serviceName])).toEqual([[sample.traceId, sample.spanId, name === 'zipkin' ? sample.name.toLowerCase() : sample.name, 'checkout']]);
  });

  it('skips documents without a trace id, span id or start, counting them in one warning', () => {
    const { spans, warnings } = schema.readHits([hit(without(keys.traceId), 'a'), hit(without(...keys.spanId), 'b'), hit(without(keys.start), 'c'), hit(written, 'd')]);
    expect(spans.map((span) => span.source.id)).toEqual(['d']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^3 documents were skipped because they could not be read as spans \(document i\/a /);
  });

  it('never throws on garbage: wrong types, nulls, arrays and numbers where objects belong', () => {
    const garbage = [hit({}), hit({ ...written, [keys.traceId]: 42 }), hit(Object.fromEntries(Object.keys(written).map((key) => [key, null]))), hit(Object.fromEntries(Object.keys(written).map((key) => [key, [1, { x: 2 }]]))), hit(Object.fromEntries(Object.keys(written).map((key) => [key, 'garbage'])))];
    const { spans, warnings } = schema.readHits(garbage);
    expect(spans).toEqual([]);
    expect(warnings[0]).toMatch(/^5 documents were skipped/);
  });

  it('keeps a huge attribute value whole', () => {
    const big = 'x'.repeat(500_000);
    const document = schema.writeSpans([{ ...sample, attributes: { big } }], 'spans').find((doc) => doc.index === 'spans')!.document;
    const [span] = schema.readHits([hit(document)]).spans;
    const values = Object.values(span.attributes);
    expect(values.some((value) => value === big)).toBe(true);
  });
});

describe('jaeger specifics', () => {
  /** A Jaeger span document of trace aaaa... with the given references and tags. */
  const jaegerDocument = (fields: Record<string, unknown>) =>
    hit({ traceID: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanID: '00000000000000b2', operationName: 'op', startTime: 1715678467123456, duration: 10, process: { serviceName: 'svc' }, ...fields });

  it('takes the parent from the CHILD_OF reference when parentSpanID is absent, and other references as links', () => {
    const { spans } = jaegerSchema.readHits([
      jaegerDocument({
        references: [
          { refType: 'FOLLOWS_FROM', traceID: 'cccccccccccccccccccccccccccccccc', spanID: '00000000000000c1' },
          { refType: 'CHILD_OF', traceID: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanID: '00000000000000a1' },
        ],
      }),
    ]);
    expect(spans[0].parentSpanId).toBe('00000000000000a1');
    expect(spans[0].links).toEqual([{ traceId: 'cccccccccccccccccccccccccccccccc', spanId: '00000000000000c1', attributes: {} }]);
  });

  it("takes the parent from a span's only same-trace FOLLOWS_FROM reference, as Jaeger's readers do, and keeps it as a link", () => {
    // Jaeger v2 stores a span whose parent is also its link target with this one reference and no parentSpanID.
    const { spans } = jaegerSchema.readHits([
      jaegerDocument({
        references: [
          { refType: 'FOLLOWS_FROM', traceID: 'cccccccccccccccccccccccccccccccc', spanID: '00000000000000c1' },
          { refType: 'FOLLOWS_FROM', traceID: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanID: '00000000000000a1' },
          { refType: 'FOLLOWS_FROM', traceID: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanID: '00000000000000a2' },
        ],
      }),
    ]);
    expect(spans[0].parentSpanId).toBe('00000000000000a1');
    expect(spans[0].links.map((link) => link.spanId)).toEqual(['00000000000000c1', '00000000000000a1', '00000000000000a2']);
  });

  it('prefers a same-trace CHILD_OF reference to an earlier FOLLOWS_FROM one for the parent', () => {
    const { spans } = jaegerSchema.readHits([
      jaegerDocument({
        references: [
          { refType: 'FOLLOWS_FROM', traceID: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanID: '00000000000000a2' },
          { refType: 'CHILD_OF', traceID: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanID: '00000000000000a1' },
        ],
      }),
    ]);
    expect(spans[0].parentSpanId).toBe('00000000000000a1');
    expect(spans[0].links.map((link) => link.spanId)).toEqual(['00000000000000a2']);
  });

  it('reads kind and status kept as tag.* fields (Jaeger v2 default) beside nested tags', () => {
    const { spans } = jaegerSchema.readHits([
      jaegerDocument({ tags: [{ key: 'otel.status_description', type: 'string', value: 'boom' }], tag: { error: true, 'span@kind': 'server' } }),
    ]);
    expect(spans[0]).toMatchObject({ kind: 'server', statusCode: 2, statusMessage: 'boom', attributes: {} });
  });

  it('reads typed tags, old string-valued tags and tags-as-fields with @', () => {
    const { spans } = jaegerSchema.readHits([
      jaegerDocument({
        tags: [
          { key: 'new.int', type: 'int64', value: 504 },
          { key: 'old.float', type: 'float64', value: '72.5' },
          { key: 'old.bool', type: 'bool', value: 'true' },
          { key: 'span.kind', type: 'string', value: 'client' },
          { key: 'error', type: 'bool', value: true },
        ],
        tag: { 'http@method': 'GET' },
      }),
    ]);
    expect(spans[0].attributes).toEqual({ 'new.int': 504, 'old.float': 72.5, 'old.bool': true, 'http.method': 'GET' });
    expect(spans[0].kind).toBe('client');
    expect(spans[0].statusCode).toBe(2);
  });
});

describe('data-prepper specifics', () => {
  it('reads the standard shape: nested attributes with original keys and a status object', () => {
    const { spans } = dataPrepperSchema.readHits([
      hit({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        parentSpanId: '',
        name: 'GET /api/cart',
        kind: 'SPAN_KIND_SERVER',
        startTime: '2024-05-14T09:21:07.123456789Z',
        endTime: '2024-05-14T09:21:07.165956789Z',
        durationInNanos: 42500000,
        attributes: { 'http.request.method': 'GET' },
        status: { code: 2, message: 'upstream timeout' },
        resource: { attributes: { 'service.name': 'checkout' } },
        instrumentationScope: { name: 'io.opentelemetry.tomcat-10.0' },
        events: [{ name: 'cache.miss', time: '2024-05-14T09:21:07.153456789Z', attributes: { 'cache.key': 'cart:42' } }],
        links: [],
      }),
    ]);
    expect(spans[0]).toMatchObject({ parentSpanId: undefined, serviceName: 'checkout', kind: 'server', statusCode: 2, statusMessage: 'upstream timeout', attributes: { 'http.request.method': 'GET' }, startTimeUnixNano: BigInt('1715678467123456789') });
    expect(spans[0].events[0].attributes).toEqual({ 'cache.key': 'cart:42' });
  });

  it("decodes the classic shape's '@' keys", () => {
    const { spans } = dataPrepperSchema.readHits([hit({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', startTime: '2024-05-14T09:21:07Z', durationInNanos: 1, serviceName: 'checkout', 'span.attributes.http@method': 'GET', 'status.code': 1 })]);
    expect(spans[0].attributes).toEqual({ 'http.method': 'GET' });
    expect(spans[0].statusCode).toBe(1);
  });
});

describe('otel-raw specifics', () => {
  it('reads raw mode, where attributes sit at the root and events lose the Events. prefix', () => {
    const { spans } = otelRawSchema.readHits([
      hit({
        '@timestamp': '2024-05-14T09:21:07.123456789Z',
        EndTimestamp: '2024-05-14T09:21:07.165956789Z',
        TraceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        SpanId: '00f067aa0ba902b7',
        Name: 'GET /api/cart',
        Kind: 'SPAN_KIND_SERVER',
        TraceStatus: 2,
        'http.request.method': 'GET',
        'cache.miss.time': '2024-05-14T09:21:07.153456789Z',
        'cache.miss.cache.key': 'cart:42',
        'Resource.service.name': 'checkout',
      }),
    ]);
    expect(spans[0].attributes).toEqual({ 'http.request.method': 'GET' });
    expect(spans[0].events).toEqual([{ timeUnixNano: BigInt('1715678467153456789'), name: 'cache.miss', attributes: { 'cache.key': 'cart:42' } }]);
    expect(spans[0].durationNano).toBe(BigInt(42_500_000));
  });

  it('writes and reads back attributes whose value is the empty string, as the exporter keeps them', () => {
    const span: LogicalSpan = { ...sample, attributes: { ...sample.attributes, 'app.empty': '' }, resourceAttributes: { ...sample.resourceAttributes, 'host.empty': '' }, events: [{ ...sample.events[0], attributes: { 'event.empty': '' } }] };
    const [written] = otelRawSchema.writeSpans([span], 'traces');
    expect(written.document).toMatchObject({ 'Attributes.app.empty': '', 'Resource.host.empty': '' });
    const [read] = otelRawSchema.readHits([hit(written.document)]).spans;
    expect(read.attributes['app.empty']).toBe('');
    expect(read.resourceAttributes['host.empty']).toBe('');
    expect(read.events[0].attributes).toEqual({ 'event.empty': '' });
  });
});

describe('elastic-apm specifics', () => {
  it('reads transactions by their transaction fields and derives the kind when the agent gave none', () => {
    const { spans } = elasticApmSchema.readHits([
      hit({ processor: { event: 'transaction' }, trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' }, transaction: { id: '00f067aa0ba902b7', name: 'GET /api/cart', type: 'request', duration: { us: 42500 } }, timestamp: { us: 1715678467123456 }, service: { name: 'checkout' }, event: { outcome: 'failure' } }),
    ]);
    expect(spans[0]).toMatchObject({ spanId: '00f067aa0ba902b7', name: 'GET /api/cart', kind: 'server', statusCode: 2, durationNano: BigInt(42_500_000), startTimeUnixNano: BigInt('1715678467123456000') });
  });
});

describe('zipkin specifics', () => {
  it('treats any error tag as an error with its value as the message, and no kind as internal', () => {
    const { spans } = zipkinSchema.readHits([hit({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', id: '00f067aa0ba902b7', name: 'get', timestamp: 1715678467123456, duration: 42500, localEndpoint: { serviceName: 'checkout' }, tags: { error: 'upstream timeout', 'http.method': 'GET' } })]);
    expect(spans[0]).toMatchObject({ statusCode: 2, statusMessage: 'upstream timeout', kind: 'internal', attributes: { 'http.method': 'GET' } });
  });
});

describe('elastic-apm writing', () => {
  it('records on each span its enclosing transaction, also below a 10,000-level chain of internal spans', () => {
    const id = (n: number) => n.toString(16).padStart(16, '0');
    const chain: LogicalSpan[] = Array.from({ length: 10_000 }, (_, i) => ({ ...referenceSpan, spanId: id(i + 1), parentSpanId: i === 0 ? undefined : id(i), kind: i === 0 ? 'server' : 'internal', events: [] }));
    const written = elasticApmSchema.writeSpans(chain, 'apm');
    const transactionIds = written.map(({ document }) => (document.transaction as { id?: string } | undefined)?.id);
    expect(new Set(transactionIds)).toEqual(new Set([id(1)]));
    expect(written.filter(({ document }) => (document.processor as { event: string }).event === 'transaction')).toHaveLength(1);
  });
});
