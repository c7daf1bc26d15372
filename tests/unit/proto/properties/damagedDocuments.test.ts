/**
 * Examples pinning what the reader properties found: damaged documents that were read into
 * silently wrong spans or log records before, and what each reader does with them now.
 */
import { spanToDataPrepperDocument } from '../../../../src/proto/dataPrepper';
import { elasticApmLogSchema } from '../../../../src/proto/elasticApm';
import { normaliseSpanId, normaliseTraceId, readParentSpanId } from '../../../../src/proto/ids';
import type { LogicalSpan } from '../../../../src/proto/model';
import { otelSchema, spanToOtelDocument } from '../../../../src/proto/otel';
import { SPAN_SCHEMAS } from '../../../../src/proto/registry';
import type { JsonObject } from '../../../../src/proto/schema';
import { parseIsoNanos } from '../../../../src/proto/time';
import { hit, referenceSpan } from '../../referenceSpan';

const span: LogicalSpan = { ...referenceSpan, events: [] };
const written = (name: string, source: LogicalSpan = span): JsonObject => SPAN_SCHEMAS.find((schema) => schema.name === name)!.writeSpans([source], 'spans')[0].document;

/** `document` with `value` where the schema keeps the parent: a literal dotted key if it has one, else nested. */
function withParent(document: JsonObject, path: string, value: unknown): JsonObject {
  const copy = JSON.parse(JSON.stringify(document)) as JsonObject;
  // Jaeger also names the parent in a CHILD_OF reference, which it would fall back on.
  delete copy.references;
  if (path in copy || !path.includes('.')) {
    copy[path] = value;
    return copy;
  }
  const [head, ...rest] = path.split('.');
  copy[head] = { ...(copy[head] as JsonObject), [rest.join('.')]: value };
  return copy;
}

describe('ids longer than an id can be', () => {
  it('are not ids: a span id has at most 16 hex digits and a trace id at most 32', () => {
    expect([normaliseSpanId('a'.repeat(16)), normaliseSpanId('a'.repeat(17)), normaliseSpanId('00f067aa0ba902b7' + '00f067aa0ba902b7')]).toEqual(['a'.repeat(16), undefined, undefined]);
    expect([normaliseTraceId('b'.repeat(32)), normaliseTraceId('b'.repeat(33)), normaliseTraceId('b'.repeat(40))]).toEqual(['b'.repeat(32), undefined, undefined]);
  });

  it('make a span document with a 40-digit trace id a skipped document, named in the warning, not a span with that id', () => {
    const { spans, warnings } = otelSchema.readHits([hit({ ...spanToOtelDocument(span), trace_id: 'b'.repeat(40) }, 'long-id')]);
    expect(spans).toEqual([]);
    expect(warnings).toEqual(['1 document was skipped because they could not be read as spans (document i/long-id has no valid trace_id/span_id)']);
  });
});

describe('readParentSpanId', () => {
  it('takes missing, null, empty, blank and all-zero parents as roots without a warning', () => {
    const warnings: string[] = [];
    expect([undefined, null, '', '  ', '0000000000000000'].map((value) => readParentSpanId(value, warnings))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(warnings).toEqual([]);
  });

  it('reads a hex parent in lower case', () => {
    expect(readParentSpanId('5F2C1A9E7B3D4C61', [])).toBe('5f2c1a9e7b3d4c61');
  });

  it('shows a span whose stored parent is not a span id as a root, and says so', () => {
    const warnings: string[] = [];
    expect(readParentSpanId({ id: '5f2c1a9e7b3d4c61' }, warnings)).toBeUndefined();
    expect(warnings).toEqual(['the stored parent span id {"id":"5f2c1a9e7b3d4c61"} is not a span id (up to 16 hex digits); shown as a root']);
  });
});

describe.each(SPAN_SCHEMAS.map((schema) => [schema.name, schema] as const))('the %s reader with a damaged parent id', (name, schema) => {
  const path = schema.paths.parentSpanId;
  const parentOf = (value: unknown) => schema.readHits([hit(withParent(written(name), path, value))]).spans[0];

  it.each([['not-hex'], ['5f2c1a9e7b3d4c61ff'], [42], [['5f2c1a9e7b3d4c61']], [{ a: 1 }]])('shows a span whose parent is %j as a root with a warning naming the value', (value) => {
    const read = parentOf(value);
    expect(read.parentSpanId).toBeUndefined();
    expect(read.source.warnings).toContain(`the stored parent span id ${JSON.stringify(value)} is not a span id (up to 16 hex digits); shown as a root`);
  });

  it('shows a span whose parent is empty as a root, without a warning about it', () => {
    const read = parentOf('');
    expect(read.parentSpanId).toBeUndefined();
    expect(read.source.warnings.filter((warning) => warning.includes('parent'))).toEqual([]);
  });
});

describe('times that are no Unix time', () => {
  it('parseIsoNanos refuses a time before 1970, such as Go zero time, and keeps 1970 itself', () => {
    expect([parseIsoNanos('0001-01-01T00:00:00Z'), parseIsoNanos('1969-12-31T23:59:59.999999999Z'), parseIsoNanos('1970-01-01T00:00:00.000000001Z')]).toEqual([undefined, undefined, BigInt(1)]);
  });

  it('a Data Prepper span that starts in year 1 is skipped, not read with a negative start', () => {
    const { spans, warnings } = SPAN_SCHEMAS.find((schema) => schema.name === 'data-prepper')!.readHits([hit({ ...spanToDataPrepperDocument(span), startTime: '0001-01-01T00:00:00Z' }, 'year-1')]);
    expect(spans).toEqual([]);
    expect(warnings[0]).toContain('document i/year-1 has no readable startTime');
  });

  it.each([[-1], [-1e308], [1e308]])('an otel span whose @timestamp is the number %p is skipped, not read with a time out of range', (timestamp) => {
    const { spans, warnings } = otelSchema.readHits([hit({ ...spanToOtelDocument(span), '@timestamp': timestamp }, 'bad-time')]);
    expect(spans).toEqual([]);
    expect(warnings[0]).toContain('document i/bad-time has no readable @timestamp');
  });

  it('an otel span whose @timestamp is epoch milliseconds as a number is still read', () => {
    const [read] = otelSchema.readHits([hit({ ...spanToOtelDocument(span), '@timestamp': 1715678467123 })]).spans;
    expect(read.startTimeUnixNano).toBe(BigInt('1715678467123000000'));
  });
});

describe('the elastic-apm log reader', () => {
  const log = { trace: { id: span.traceId }, message: 'cart loaded', service: { name: 'checkout' } };

  it.each([['-1'], ['a 2'], ['1']])('refuses a log whose only time is the @timestamp text %j (Date.parse reads each as a day in 2001)', (timestamp) => {
    expect(elasticApmLogSchema.readHit(hit({ ...log, '@timestamp': timestamp }, 'apm-log'))).toBe('log document i/apm-log has no readable @timestamp');
  });

  it('reads an RFC 3339 @timestamp to the millisecond when timestamp.us is missing, and prefers timestamp.us', () => {
    const read = (source: JsonObject) => elasticApmLogSchema.readHit(hit(source)) as { timeUnixNano: bigint };
    expect(read({ ...log, '@timestamp': '2024-05-14T09:21:07.123Z' }).timeUnixNano).toBe(BigInt('1715678467123000000'));
    expect(read({ ...log, '@timestamp': '2024-05-14T09:21:07.123Z', timestamp: { us: 1715678467123456 } }).timeUnixNano).toBe(BigInt('1715678467123456000'));
  });
});

describe('the data-prepper reader, standard shape', () => {
  it('shows a span whose resource service.name is empty under unknown_service, not an empty service name', () => {
    const standard = { traceId: span.traceId, spanId: span.spanId, name: 'GET /api/cart', startTime: '2024-05-14T09:21:07.123456789Z', durationInNanos: 5, resource: { attributes: { 'service.name': '' } } };
    const [read] = SPAN_SCHEMAS.find((schema) => schema.name === 'data-prepper')!.readHits([hit(standard)]).spans;
    expect(read.serviceName).toBe('unknown_service');
  });
});

describe('stored events and links a reader cannot read', () => {
  const schemaNamed = (name: string) => SPAN_SCHEMAS.find((schema) => schema.name === name)!;
  const linkTo = (spanId: string) => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId, attributes: {} });
  const withLists: LogicalSpan = {
    ...span,
    events: ['queue.wait', 'cache.miss', 'db.query'].map((name, i) => ({ timeUnixNano: span.startTimeUnixNano + BigInt(i + 1), name, attributes: {} })),
    links: [linkTo('b7ad6b7169203331'), linkTo('c8be7c827a314442'), linkTo('d9cf8d938b425553')],
  };

  it('a Data Prepper span with 2 of its 3 events damaged shows the readable one and says 2 of 3 are left out', () => {
    const document = spanToDataPrepperDocument(withLists);
    const events = document.events as JsonObject[];
    events[0] = { ...events[0], time: 'not-a-time' };
    delete events[2].name;
    const [read] = schemaNamed('data-prepper').readHits([hit(document)]).spans;
    expect(read.events.map((event) => event.name)).toEqual(['cache.miss']);
    expect(read.source.warnings).toEqual(['2 of 3 stored events could not be read and are left out']);
  });

  it('an ss4o span with 1 of its 3 links without a valid span id shows the other two and says 1 of 3 is left out', () => {
    const document = written('ss4o', withLists);
    (document.links as JsonObject[])[1].spanId = 'not-a-span-id';
    const [read] = schemaNamed('ss4o').readHits([hit(document)]).spans;
    expect(read.links.map((link) => link.spanId)).toEqual(['b7ad6b7169203331', 'd9cf8d938b425553']);
    expect(read.source.warnings).toEqual(['1 of 3 stored links has no valid trace or span id and is left out']);
  });

  it('an ss4o span whose events are unreadable says so in the same words as every reader (ss4o had its own before)', () => {
    const document = written('ss4o', withLists);
    (document.events as JsonObject[]).forEach((event) => delete event['@timestamp']);
    expect(schemaNamed('ss4o').readHits([hit(document)]).spans[0].source.warnings).toEqual(['3 of 3 stored events could not be read and are left out']);
  });

  it('a Jaeger span with a reference to no valid trace says 1 of its stored references is left out, and keeps the parent and the other links', () => {
    const document = written('jaeger', withLists);
    const references = document.references as JsonObject[];
    const damaged = references.findIndex((reference) => reference.spanID === 'c8be7c827a314442');
    references[damaged] = { ...references[damaged], traceID: 'zz' };
    const [read] = schemaNamed('jaeger').readHits([hit(document)]).spans;
    expect([read.parentSpanId, read.links.map((link) => link.spanId)]).toEqual([span.parentSpanId, ['b7ad6b7169203331', 'd9cf8d938b425553']]);
    expect(read.source.warnings).toEqual([`1 of ${references.length} stored references has no valid trace or span id and is left out`]);
  });

  it.each([
    ['bklog', 'events', 'cart loaded', 'the stored events are a string, not a list, and are left out'],
    ['zipkin', 'annotations', { value: 'cache.miss' }, 'the stored events are an object, not a list, and are left out'],
    ['elastic-apm', 'span', { links: 'b7ad6b7169203331' }, 'the stored links are a string, not a list, and are left out'],
    ['otel-raw', 'Link', '[{"traceID":', 'the stored links are text that is not JSON, and are left out'],
  ])('a %s span whose %s holds %j where the producer writes a list reads none of them and says: %s', (name, field, value, warning) => {
    const document = written(name, withLists);
    document[field] = field === 'span' ? { ...(document.span as JsonObject), ...(value as JsonObject) } : value;
    const [read] = schemaNamed(name).readHits([hit(document)]).spans;
    expect(read.source.warnings).toContain(warning);
  });

  it('an otel span whose links are one link object rather than a list of one still reads that link, without a warning', () => {
    const document = spanToOtelDocument(withLists);
    document.links = (document.links as JsonObject[])[0];
    const [read] = otelSchema.readHits([hit(document)]).spans;
    expect([read.links.map((link) => link.spanId), read.source.warnings]).toEqual([['b7ad6b7169203331'], []]);
  });

  it('a bklog-log span whose log text is a number has no event and says its 1 stored event is left out', () => {
    const document = { traceID: span.traceId, spanID: span.spanId, operationName: 'GET /api/cart', startTime: 1715678467123, duration: 42, log: 42 };
    const [read] = schemaNamed('bklog-log').readHits([hit(document)]).spans;
    expect([read.events, read.source.warnings]).toEqual([[], ['1 of 1 stored events could not be read and is left out']]);
  });
});
