import { generateCorrelatedLogs, generateDemoTraces, generateLargeTrace } from '../../src/cli/sdkData';
import { logRecordsFromOtlp, spansFromOtlp } from '../../src/proto/otlp';

const demo = generateDemoTraces({ traces: 6, seed: 3, baseTimeMs: 1_715_678_400_000 });
const spans = spansFromOtlp(demo.request);

describe('generateDemoTraces (OpenTelemetry JS SDK)', () => {
  it('writes lowercase hex ids of OTLP length', () => {
    expect(spans.every((span) => /^[0-9a-f]{32}$/.test(span.traceId) && /^[0-9a-f]{16}$/.test(span.spanId))).toBe(true);
    expect(demo.traceIds).toHaveLength(6);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set(demo.traceIds));
  });

  it('spans six services with errors, exceptions with stack traces, events and a link to another trace', () => {
    expect(new Set(spans.map((span) => span.serviceName))).toEqual(new Set(['frontend', 'checkout', 'cart', 'payment', 'inventory', 'email']));
    expect(spans.filter((span) => span.statusCode === 2).length).toBeGreaterThan(0);
    const exception = spans.flatMap((span) => span.events).find((event) => event.name === 'exception');
    expect(exception?.attributes['exception.stacktrace']).toContain('at charge (payment/charge.js:42:11)');
    const linked = spans.find((span) => span.links.length > 0);
    expect(linked?.links[0].traceId).not.toBe(linked?.traceId);
    expect(new Set(spans.map((span) => span.kind))).toEqual(new Set(['server', 'client', 'internal', 'producer', 'consumer']));
  });

  it('carries every attribute type, unicode and query-syntax characters', () => {
    const root = spans.find((span) => span.attributes['url.query'] !== undefined)!;
    expect(root.attributes).toMatchObject({ 'app.user.vip': true, 'app.tags': ['web', 'checkout', 'ünï'], 'app.quantities': [1, 2, 3], 'app.flags': [true, false], 'app.note': 'café ☕ 日本語 🚀 Ünïcödé' });
    expect(root.attributes['url.query']).toBe('name:"quoted" AND (x OR y) back\\slash a*b? {}[] <tag>&amp; /path?q=1&r=2');
    expect(spans.some((span) => span.name === 'GET /search?q="x"&y=*')).toBe(true);
    expect(spans.some((span) => typeof span.attributes['app.order.total'] === 'number' && !Number.isInteger(span.attributes['app.order.total']))).toBe(true);
  });

  it('is the same for the same seed, with nanosecond start times', () => {
    const again = generateDemoTraces({ traces: 6, seed: 3, baseTimeMs: 1_715_678_400_000 });
    expect(again.traceIds).toEqual(demo.traceIds);
    expect(spansFromOtlp(again.request).map((span) => span.startTimeUnixNano)).toEqual(spans.map((span) => span.startTimeUnixNano));
    expect(spans.some((span) => span.startTimeUnixNano % BigInt(1000) !== BigInt(0))).toBe(true);
  });
});

describe('generateLargeTrace', () => {
  it('makes one trace of exactly the asked size, one root, every parent present', () => {
    const large = spansFromOtlp(generateLargeTrace(25_000, { seed: 5 }).request);
    expect(large).toHaveLength(25_000);
    expect(new Set(large.map((span) => span.traceId)).size).toBe(1);
    const ids = new Set(large.map((span) => span.spanId));
    expect(ids.size).toBe(25_000);
    expect(large.filter((span) => span.parentSpanId === undefined)).toHaveLength(1);
    expect(large.every((span) => span.parentSpanId === undefined || ids.has(span.parentSpanId))).toBe(true);
  });
});

describe('generateCorrelatedLogs', () => {
  it('emits logs inside spans carrying their ids, and some outside any span', () => {
    const logs = logRecordsFromOtlp(generateCorrelatedLogs(demo).request);
    const spanIds = new Set(spans.map((span) => `${span.traceId}/${span.spanId}`));
    const inside = logs.filter((log) => log.traceId !== undefined);
    expect(inside).toHaveLength(spans.length);
    expect(inside.every((log) => spanIds.has(`${log.traceId}/${log.spanId}`))).toBe(true);
    expect(logs.filter((log) => log.traceId === undefined)).toHaveLength(3);
  });
});
