import type { LogicalSpan } from '../../../src/proto/model';
import { assembleTrace } from '../../../src/proto/trace';

function span(spanId: string, parentSpanId?: string, overrides: Partial<LogicalSpan> = {}): LogicalSpan {
  return {
    traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    spanId,
    parentSpanId,
    name: `op-${spanId}`,
    serviceName: 'svc',
    kind: 'internal',
    startTimeUnixNano: BigInt(1_000_000) + BigInt(parseInt(spanId, 16)),
    durationNano: BigInt(10),
    statusCode: 0,
    attributes: {},
    resourceAttributes: {},
    events: [],
    links: [],
    source: { schema: 'otel', index: 'i', id: spanId, warnings: [] },
    ...overrides,
  };
}

const id = (n: number) => n.toString(16).padStart(16, '0');

describe('assembleTrace', () => {
  it('merges identical copies of one span (exporter retries) and says so once', () => {
    const { spans, warnings, facts } = assembleTrace([span(id(1)), span(id(1), undefined, { source: { schema: 'otel', index: 'i', id: 'copy', warnings: [] } }), span(id(2), id(1))]);
    expect(spans.map((s) => s.spanId)).toEqual([id(1), id(2)]);
    expect(spans[0].source.warnings).toEqual(['stored more than once (exporter retry); shown once']);
    expect(warnings).toEqual(['1 duplicate document for spans already shown were merged (exporter retries)']);
    expect(facts.duplicatesMerged).toBe(1);
  });

  it('keeps the first of two different spans sharing an id and flags the other', () => {
    const { spans, warnings } = assembleTrace([span(id(1)), span(id(1), undefined, { name: 'other', source: { schema: 'otel', index: 'j', id: 'x', warnings: [] } })]);
    expect(spans).toHaveLength(1);
    expect(spans[0].source.warnings).toEqual(['another document (j/x) has this span id with different content; it is not shown']);
    expect(warnings[0]).toContain('1 with different content');
  });

  it('marks spans whose parent is missing and counts them', () => {
    const { spans, facts, warnings } = assembleTrace([span(id(1)), span(id(2), id(9))]);
    expect(spans[1].source.warnings[0]).toMatch(/^parent span 0000000000000009 is not in this trace/);
    expect(facts.orphans).toBe(1);
    expect(warnings).toEqual(['1 span has a parent that is not in this trace']);
  });

  it('breaks a parent cycle so the trace can be drawn', () => {
    const { spans, facts } = assembleTrace([span(id(1), id(3)), span(id(2), id(1)), span(id(3), id(2))]);
    expect(facts.cyclesBroken).toBe(1);
    expect(spans.filter((s) => s.parentSpanId === undefined)).toHaveLength(1);
    expect(facts.depth).toBe(3);
  });

  it('breaks a span that is its own parent', () => {
    const { spans, facts } = assembleTrace([span(id(1), id(1))]);
    expect(spans[0].parentSpanId).toBeUndefined();
    expect(facts.cyclesBroken).toBe(1);
  });

  it('measures a 10,000-level chain without recursion', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => span(id(i + 1), i === 0 ? undefined : id(i)));
    const { facts } = assembleTrace(chain.reverse());
    expect(facts.depth).toBe(10_000);
    expect(facts.rootSpanId).toBe(id(1));
    expect(facts.orphans).toBe(0);
  });

  it('sorts by start and summarises root, services, errors and extent', () => {
    const { spans, facts } = assembleTrace([
      span(id(3), id(1), { serviceName: 'b', statusCode: 2, durationNano: BigInt(500) }),
      span(id(1), undefined, { serviceName: 'a', name: 'root' }),
      span(id(2), id(1), { serviceName: 'c' }),
    ]);
    expect(spans.map((s) => s.spanId)).toEqual([id(1), id(2), id(3)]);
    expect(facts).toMatchObject({ spanCount: 3, rootSpanId: id(1), rootServiceName: 'a', rootName: 'root', depth: 2, errorCount: 1, services: ['a', 'b', 'c'] });
    expect(facts.startTimeUnixNano).toBe(BigInt(1_000_001));
    expect(facts.endTimeUnixNano).toBe(BigInt(1_000_003 + 500));
  });
});
