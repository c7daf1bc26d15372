import { checkedOtlpLogRecord, checkedOtlpSpan, otlpLogRecordProblem, otlpRecordContext, otlpSpanProblem } from '../../../src/proto/otlp';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const good = { traceId: TRACE, spanId: SPAN, name: 'GET /cart', startTimeUnixNano: '1715678467123456789', endTimeUnixNano: '1715678467165956789' };

describe('otlpSpanProblem', () => {
  it('accepts a complete span, a root with an empty parent, uppercase hex and numeric times', () => {
    expect(otlpSpanProblem(good)).toBeUndefined();
    expect(otlpSpanProblem({ ...good, parentSpanId: '' })).toBeUndefined();
    expect(otlpSpanProblem({ ...good, traceId: TRACE.toUpperCase() })).toBeUndefined();
    expect(otlpSpanProblem({ ...good, startTimeUnixNano: 1_000, endTimeUnixNano: 1_000 })).toBeUndefined();
  });

  it.each([
    ['a trace id that is not hex', { traceId: 'not-hex-zz' }, "traceId 'not-hex-zz' is not 32 hexadecimal digits"],
    ['a 64-bit trace id', { traceId: '4bf92f3577b34da6' }, "traceId '4bf92f3577b34da6' is not 32 hexadecimal digits"],
    ['a base64 trace id (OTLP/JSON uses hex)', { traceId: 'S/kvNXezTaajzpKdDg5HNg==' }, "traceId 'S/kvNXezTaajzpKdDg5HNg==' is not 32 hexadecimal digits"],
    ['an all-zero trace id', { traceId: '0'.repeat(32) }, 'traceId is all zeros, which OpenTelemetry reserves for "no id"'],
    ['no trace id', { traceId: undefined }, 'traceId is missing'],
    ['no span id', { spanId: undefined }, 'spanId is missing'],
    ['a span id of the wrong length', { spanId: '00f067aa0ba902' }, "spanId '00f067aa0ba902' is not 16 hexadecimal digits"],
    ['an all-zero span id', { spanId: '0000000000000000' }, 'spanId is all zeros, which OpenTelemetry reserves for "no id"'],
    ['a parent span id that is not hex', { parentSpanId: 'parent' }, "parentSpanId 'parent' is not 16 hexadecimal digits"],
    ['a start that is not a number', { startTimeUnixNano: 'garbage' }, "startTimeUnixNano 'garbage' is not a non-negative integer count of nanoseconds"],
    ['a negative start', { startTimeUnixNano: '-5' }, "startTimeUnixNano '-5' is not a non-negative integer count of nanoseconds"],
    ['a negative numeric end', { endTimeUnixNano: -5 }, 'endTimeUnixNano -5 is not a non-negative integer count of nanoseconds'],
    ['a start beyond int64', { startTimeUnixNano: '9223372036854775808' }, "startTimeUnixNano '9223372036854775808' is beyond the largest 64-bit time"],
    ['no start', { startTimeUnixNano: undefined }, 'startTimeUnixNano is missing'],
    ['a start of 0', { startTimeUnixNano: '0' }, 'startTimeUnixNano is 0 (unset)'],
    ['no end', { endTimeUnixNano: undefined }, 'endTimeUnixNano is missing'],
    ['an end before the start', { endTimeUnixNano: '1715678467123456788' }, 'endTimeUnixNano 1715678467123456788 is before startTimeUnixNano 1715678467123456789'],
    ['attributes given as a string', { attributes: 'http.method=GET' }, `attributes 'http.method=GET' is not a list of {"key": ..., "value": ...} objects`],
    ['attributes given as an object', { attributes: { 'http.method': 'GET' } }, `attributes {"http.method":"GET"} is not a list of {"key": ..., "value": ...} objects`],
    ['an attribute without a key', { attributes: [{ value: { stringValue: 'x' } }] }, `attributes[0] {"value":{"stringValue":"x"}} is not a {"key": ..., "value": ...} object`],
    ['an attribute value that is not an AnyValue', { attributes: [{ key: 'k', value: 'x' }] }, `attributes[0].value 'x' is not an OTLP AnyValue object such as {"stringValue": "..."}`],
    ['a nested kvlist entry without a key', { attributes: [{ key: 'k', value: { kvlistValue: { values: [{}] } } }] }, 'attributes[0].value.kvlistValue.values[0] {} is not a {"key": ..., "value": ...} object'],
    ['an event with a garbage time', { events: [{ name: 'e', timeUnixNano: 'x' }] }, "events[0].timeUnixNano 'x' is not a non-negative integer count of nanoseconds"],
    ['event attributes given as a string', { events: [{ name: 'e', timeUnixNano: '1', attributes: 'a=b' }] }, `events[0].attributes 'a=b' is not a list of {"key": ..., "value": ...} objects`],
    ['a link to an invalid span id', { links: [{ traceId: TRACE, spanId: 'zz' }] }, "links[0].spanId 'zz' is not 16 hexadecimal digits"],
    ['a name that is not a string', { name: 42 }, 'name 42 is not a string'],
  ])('rejects %s', (_what, change, reason) => {
    expect(otlpSpanProblem({ ...good, ...change })).toBe(reason);
  });

  it('rejects a span that is not an object', () => {
    expect(otlpSpanProblem('span')).toBe("the span 'span' is not an object");
    expect(otlpSpanProblem([good])).toMatch(/^the span \[.* is not an object$/);
  });
});

describe('otlpLogRecordProblem', () => {
  const record = { timeUnixNano: '1715678467123456789', body: { stringValue: 'paid' } };

  it('accepts a record outside any trace, and one with only an observed time', () => {
    expect(otlpLogRecordProblem(record)).toBeUndefined();
    expect(otlpLogRecordProblem({ observedTimeUnixNano: '1715678467123456789', timeUnixNano: '0' })).toBeUndefined();
    expect(otlpLogRecordProblem({ ...record, traceId: TRACE, spanId: SPAN })).toBeUndefined();
  });

  it.each([
    ['an invalid trace id', { traceId: 'abc' }, "traceId 'abc' is not 32 hexadecimal digits"],
    ['an invalid span id', { spanId: '0000000000000000' }, 'spanId is all zeros, which OpenTelemetry reserves for "no id"'],
    ['a garbage time', { timeUnixNano: 'yesterday' }, "timeUnixNano 'yesterday' is not a non-negative integer count of nanoseconds"],
    ['no time at all', { timeUnixNano: undefined }, 'neither timeUnixNano nor observedTimeUnixNano is set'],
    ['attributes given as a string', { attributes: 'a=b' }, `attributes 'a=b' is not a list of {"key": ..., "value": ...} objects`],
    ['a body that is a bare string', { body: 'paid' }, `body 'paid' is not an OTLP AnyValue object such as {"stringValue": "..."}`],
  ])('rejects %s', (_what, change, reason) => {
    expect(otlpLogRecordProblem({ ...record, ...change })).toBe(reason);
  });
});

describe('otlpRecordContext', () => {
  it('rejects every record of a group whose resource attributes are not a key/value list', () => {
    expect(otlpRecordContext({ attributes: 'service.name=cart' }, undefined, undefined, undefined)).toBe(`its resource.attributes 'service.name=cart' is not a list of {"key": ..., "value": ...} objects`);
    expect(otlpRecordContext(undefined, undefined, 'scope', undefined)).toBe("its scope 'scope' is not an object");
  });

  it('keeps the resource and scope schema URLs', () => {
    const context = otlpRecordContext({ attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }] }, 'https://opentelemetry.io/schemas/1.21.0', { name: 'lib' }, 'https://example.com/s');
    expect(context).toEqual({ resource: { 'service.name': 'cart' }, resourceSchemaUrl: 'https://opentelemetry.io/schemas/1.21.0', scope: { name: 'lib', version: undefined, attributes: undefined, schemaUrl: 'https://example.com/s' } });
  });
});

describe('checked conversion', () => {
  const context = { resource: { 'service.name': 'cart' } };

  it('converts a valid span exactly and returns the reason for an invalid one', () => {
    const span = checkedOtlpSpan(good, context);
    expect(span).toMatchObject({ traceId: TRACE, spanId: SPAN, serviceName: 'cart', startTimeUnixNano: BigInt('1715678467123456789'), durationNano: BigInt(42_500_000) });
    expect(checkedOtlpSpan({ ...good, spanId: undefined }, context)).toBe('spanId is missing');
  });

  it('converts a valid log record and returns the reason for an invalid one', () => {
    expect(checkedOtlpLogRecord({ observedTimeUnixNano: '5', body: { stringValue: 'x' } }, context)).toMatchObject({ timeUnixNano: BigInt(5), body: 'x', resourceAttributes: { 'service.name': 'cart' } });
    expect(checkedOtlpLogRecord({ observedTimeUnixNano: '5', traceId: 'x' }, context)).toBe("traceId 'x' is not 32 hexadecimal digits");
  });
});
