import type { TraceKeyValuePair, TraceSpanRow } from '@grafana/data';

import { FilterError } from '../../../src/query/filters';
import { parseTraceStatsGroupBy, traceStats, type TraceStatsRow } from '../../../src/query/traceStats';

interface RowSpec {
  id: string;
  parent?: string;
  service: string;
  name: string;
  start: number;
  duration: number;
  tags?: Record<string, string | number | boolean | null>;
  resource?: Record<string, string | number | boolean>;
}

const pairs = (values: Record<string, unknown> = {}): TraceKeyValuePair[] => Object.entries(values).map(([key, value]) => ({ key, value }));

const row = (spec: RowSpec): TraceSpanRow =>
  ({
    traceID: 't',
    spanID: spec.id,
    parentSpanID: spec.parent,
    serviceName: spec.service,
    operationName: spec.name,
    startTime: spec.start,
    duration: spec.duration,
    tags: pairs(spec.tags),
    serviceTags: pairs({ 'service.name': spec.service, ...spec.resource }),
  }) as TraceSpanRow;

/** The numbers of a row, without its names. */
const figures = ({ service, operation, value, ...rest }: TraceStatsRow) => rest;

/**
 * A root of 100 ms (1000 to 1100) with: two overlapping children (a, b), a grandchild inside a, a
 * child that starts before the root (clock skew), one that runs on after it, and one wholly after it.
 * The trace runs from 995 to 1210: 215 ms.
 */
const tree = [
  row({ id: 'r', service: 'frontend', name: 'GET /', start: 1000, duration: 100 }),
  row({ id: 'a', parent: 'r', service: 'cart', name: 'get', start: 1010, duration: 30 }),
  row({ id: 'b', parent: 'r', service: 'cart', name: 'get', start: 1030, duration: 30 }),
  row({ id: 'e', parent: 'a', service: 'cart', name: 'db', start: 1015, duration: 10 }),
  row({ id: 'f', parent: 'r', service: 'frontend', name: 'render', start: 995, duration: 10 }),
  row({ id: 'c', parent: 'r', service: 'email', name: 'send', start: 1090, duration: 60 }),
  row({ id: 'd', parent: 'r', service: 'email', name: 'send', start: 1200, duration: 10 }),
];

describe('traceStats by service and operation (the default)', () => {
  const stats = traceStats(tree);

  it('subtracts overlapping children once, and only the part of each child inside its parent', () => {
    // Root: 100 less [1010, 1060] (a and b merged), [1090, 1100] (c inside the root), [1000, 1005] (f clipped) = 35.
    // d, wholly after the root, takes nothing from it; a loses its grandchild e: 30 - 10 = 20.
    expect(stats.rows.find((r) => r.operation === 'GET /')).toMatchObject({ spans: 1, totalMs: 100, selfTotalMs: 35, selfMinMs: 35, selfMaxMs: 35 });
    expect(stats.rows.find((r) => r.service === 'cart' && r.operation === 'get')).toMatchObject({ spans: 2, totalMs: 60, selfTotalMs: 50, selfAvgMs: 25, selfMinMs: 20, selfMaxMs: 30 });
  });

  it('gives one row per service and operation, sorted by total self time, ties by total then by name', () => {
    expect(stats.rows.map((r) => [r.service, r.operation])).toEqual([
      ['email', 'send'],
      ['cart', 'get'],
      ['frontend', 'GET /'],
      ['cart', 'db'],
      ['frontend', 'render'],
    ]);
    expect(stats.rows.every((r) => r.value === undefined)).toBe(true);
  });

  it('counts, sums, averages and bounds the durations and self times of each group', () => {
    expect(figures(stats.rows[0])).toEqual({
      spans: 2,
      totalMs: 70,
      avgMs: 35,
      minMs: 10,
      maxMs: 60,
      selfTotalMs: 70,
      selfAvgMs: 35,
      selfMinMs: 10,
      selfMaxMs: 60,
      selfPercent: (70 * 100) / 215,
    });
  });

  it('measures the trace from its first start to its last end, and counts every span', () => {
    expect([stats.traceDurationMs, stats.spanCount, stats.groupBy, stats.warnings]).toEqual([215, 7, 'operation', []]);
  });

  it("gives shares of the trace that add up to the spans' self time over the trace's duration", () => {
    const shares = stats.rows.reduce((sum, r) => sum + r.selfPercent!, 0);
    // 70 + 50 + 35 + 10 + 10 = 175 ms of self time: f runs beside the root, c and d after it.
    expect(shares).toBeCloseTo((175 / 215) * 100, 10);
  });
});

describe('traceStats shares of the trace', () => {
  it('add up to 100 % when the root spans the trace and no two spans run at once', () => {
    const sequential = [
      row({ id: 'r', service: 'api', name: 'handle', start: 0, duration: 10 }),
      row({ id: 'a', parent: 'r', service: 'db', name: 'select', start: 1, duration: 3 }),
      row({ id: 'b', parent: 'r', service: 'db', name: 'update', start: 4, duration: 2 }),
      row({ id: 'c', parent: 'b', service: 'disk', name: 'write', start: 4.5, duration: 1 }),
    ];
    const stats = traceStats(sequential);
    expect(stats.rows.map((r) => [r.operation, r.selfPercent])).toEqual([
      ['handle', 50],
      ['select', 30],
      ['update', 10],
      ['write', 10],
    ]);
  });

  it('go above 100 % when children run in parallel, each with its own self time', () => {
    const parallel = [
      row({ id: 'r', service: 'api', name: 'fan-out', start: 0, duration: 10 }),
      row({ id: 'a', parent: 'r', service: 'worker', name: 'job', start: 0, duration: 10 }),
      row({ id: 'b', parent: 'r', service: 'worker', name: 'job', start: 0, duration: 10 }),
    ];
    const stats = traceStats(parallel);
    expect(stats.rows.map((r) => [r.operation, r.selfTotalMs, r.selfPercent])).toEqual([
      ['job', 20, 200],
      ['fan-out', 0, 0],
    ]);
  });
});

describe('traceStats by service', () => {
  it('gives one row per service, its operations together', () => {
    const stats = traceStats(tree, 'service');
    expect(stats.rows.map((r) => ({ service: r.service, operation: r.operation, spans: r.spans, totalMs: r.totalMs, selfTotalMs: r.selfTotalMs }))).toEqual([
      { service: 'email', operation: undefined, spans: 2, totalMs: 70, selfTotalMs: 70 },
      { service: 'cart', operation: undefined, spans: 3, totalMs: 70, selfTotalMs: 60 },
      { service: 'frontend', operation: undefined, spans: 2, totalMs: 110, selfTotalMs: 45 },
    ]);
  });
});

describe('traceStats by attribute', () => {
  const spans = [
    row({ id: 'r', service: 'api', name: 'handle', start: 0, duration: 100, tags: { 'http.method': 'GET' } }),
    row({ id: 'a', parent: 'r', service: 'api', name: 'call', start: 10, duration: 20, tags: { 'http.method': 'POST' } }),
    // A span attribute wins over a resource attribute of the same key.
    row({ id: 'b', parent: 'r', service: 'db', name: 'query', start: 40, duration: 10, tags: { 'http.method': 'GET' }, resource: { 'http.method': 'PUT' } }),
    // A resource attribute counts where the span has none.
    row({ id: 'c', parent: 'r', service: 'db', name: 'query', start: 60, duration: 5, resource: { 'http.method': 'PUT' } }),
    row({ id: 'd', parent: 'r', service: 'queue', name: 'send', start: 70, duration: 4 }),
    row({ id: 'e', parent: 'r', service: 'queue', name: 'send', start: 80, duration: 3, tags: { 'http.method': null } }),
    row({ id: 'f', parent: 'r', service: 'queue', name: 'send', start: 90, duration: 2, tags: { 'http.method': '' } }),
  ];
  const stats = traceStats(spans, 'attribute:http.method');

  it('groups by the value, span attribute before resource attribute', () => {
    expect(stats.rows.map((r) => [r.value, r.spans, r.totalMs, r.selfTotalMs])).toEqual([
      // r: 100 - 20 - 10 - 5 - 4 - 3 - 2 = 56 of self time, b 10.
      ['GET', 2, 110, 66],
      ['POST', 1, 20, 20],
      [null, 2, 7, 7],
      ['PUT', 1, 5, 5],
      ['', 1, 2, 2],
    ]);
  });

  it('puts spans without the attribute, or with a null value, in one group whose value is null and no text', () => {
    const without = stats.rows.find((r) => r.value === null)!;
    expect([without.spans, without.service, without.operation]).toEqual([2, undefined, undefined]);
  });

  it('counts every span exactly once', () => {
    expect(stats.rows.reduce((sum, r) => sum + r.spans, 0)).toBe(spans.length);
  });

  it('reads numbers and booleans as their text, so 200 and "200" are one group', () => {
    const mixed = [
      row({ id: 'a', service: 's', name: 'n', start: 0, duration: 3, tags: { code: 200 } }),
      row({ id: 'b', service: 's', name: 'n', start: 0, duration: 2, tags: { code: '200' } }),
      row({ id: 'c', service: 's', name: 'n', start: 0, duration: 1, tags: { code: true } }),
    ];
    expect(traceStats(mixed, 'attribute:code').rows.map((r) => [r.value, r.spans])).toEqual([
      ['200', 2],
      ['true', 1],
    ]);
  });

  it('warns when no span has the attribute, naming it', () => {
    const none = traceStats(spans, 'attribute:http.rout');
    expect(none.rows.map((r) => [r.value, r.spans])).toEqual([[null, 7]]);
    expect(none.warnings).toEqual(["no span of this trace has a span or resource attribute 'http.rout': all 7 spans are in the group without it"]);
  });

  it('sorts the group without the attribute after the values it ties with', () => {
    const ties = [
      row({ id: 'a', service: 's', name: 'n', start: 0, duration: 1 }),
      row({ id: 'b', service: 's', name: 'n', start: 5, duration: 1, tags: { k: 'z' } }),
    ];
    expect(traceStats(ties, 'attribute:k').rows.map((r) => r.value)).toEqual(['z', null]);
  });
});

describe('traceStats of a single span', () => {
  it('is one row whose self time is its whole duration and all of the trace', () => {
    const stats = traceStats([row({ id: 'r', service: 'api', name: 'ping', start: 1_763_632_800_000.5, duration: 12.345 })]);
    expect(stats.rows).toEqual([
      { service: 'api', operation: 'ping', spans: 1, totalMs: 12.345, avgMs: 12.345, minMs: 12.345, maxMs: 12.345, selfTotalMs: 12.345, selfAvgMs: 12.345, selfMinMs: 12.345, selfMaxMs: 12.345, selfPercent: 100 },
    ]);
    expect(stats.traceDurationMs).toBe(12.345);
  });

  it('has no share of a trace that lasts no time, rather than NaN', () => {
    const stats = traceStats([row({ id: 'r', service: 'api', name: 'mark', start: 5, duration: 0 })]);
    expect(stats.rows.map((r) => [r.selfTotalMs, r.selfPercent])).toEqual([[0, null]]);
  });
});

describe('traceStats precision', () => {
  it('keeps microseconds exact where float milliseconds would not add up', () => {
    // At today's epoch a float ms has a quarter-microsecond step, and 0.1 + 0.2 is not 0.3.
    const base = 1_763_632_800_000;
    const spans = [
      row({ id: 'a', service: 's', name: 'n', start: base + 0.001, duration: 0.1 }),
      row({ id: 'b', service: 's', name: 'n', start: base + 0.333, duration: 0.2 }),
      row({ id: 'c', service: 's', name: 'n', start: base + 0.777, duration: 0.003 }),
    ];
    expect(figures(traceStats(spans).rows[0])).toEqual({
      spans: 3,
      totalMs: 0.303,
      avgMs: 0.101,
      minMs: 0.003,
      maxMs: 0.2,
      selfTotalMs: 0.303,
      selfAvgMs: 0.101,
      selfMinMs: 0.003,
      selfMaxMs: 0.2,
      selfPercent: (303 * 100) / 779,
    });
  });

  it('rounds averages to the microsecond', () => {
    const spans = [0, 1, 2].map((i) => row({ id: `s${i}`, service: 's', name: 'n', start: i * 10, duration: i === 0 ? 0.002 : 0.001 }));
    expect(traceStats(spans).rows[0].avgMs).toBe(0.001);
  });
});

describe('traceStats of no spans', () => {
  it('has no rows and a trace of no time', () => {
    expect(traceStats([])).toEqual({ groupBy: 'operation', traceDurationMs: 0, spanCount: 0, rows: [], warnings: [] });
  });
});

describe('parseTraceStatsGroupBy', () => {
  it.each([
    [undefined, 'operation'],
    ['', 'operation'],
    ['  ', 'operation'],
    ['operation', 'operation'],
    ['service', 'service'],
    ['http.method', 'attribute:http.method'],
    ['attribute:service', 'attribute:service'],
  ])('reads %p as %p', (text, groupBy) => {
    expect(parseTraceStatsGroupBy(text)).toBe(groupBy);
  });

  it('refuses an attribute prefix without a key', () => {
    expect(() => parseTraceStatsGroupBy('attribute:')).toThrow(FilterError);
  });
});
