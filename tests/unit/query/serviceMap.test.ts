import { resolveSchemas } from '../../../src/proto/detect';
import { BKLOG_SPAN_MAPPING } from '../../../src/proto/bklog';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import type { LogicalSpan } from '../../../src/proto/model';
import { kindClause } from '../../../src/query/searchClauses';
import { buildEdgeSpansRequest, buildNodeStatsRequest, exactPercentile, joinEdges, peerOf, readNodeStats, sampleShare, traceSampleRegexp } from '../../../src/query/serviceMap';
import { referenceSpan } from '../referenceSpan';

const bklog = resolveSchemas('bk-span*', { 'bk-span-1': { mappings: BKLOG_SPAN_MAPPING } }).groups[0];
const jaeger = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: JAEGER_SPAN_MAPPING } }).groups[0];
const NS_PER_MS = BigInt(1_000_000);
const window = { fromNs: BigInt(1_796_299_980_000) * NS_PER_MS, toNs: BigInt(1_796_300_160_000) * NS_PER_MS };

const span = (spanId: string, parentSpanId: string | undefined, serviceName: string, kind: LogicalSpan['kind'], extra: Partial<LogicalSpan> = {}): LogicalSpan => ({
  ...referenceSpan,
  traceId: 'a'.repeat(32),
  spanId,
  parentSpanId,
  serviceName,
  kind,
  statusCode: 0,
  durationNano: BigInt(10_000_000),
  attributes: {},
  ...extra,
});

describe('trace sample by trace id ending', () => {
  it.each([
    [1, 2],
    [64, 2],
    [100, 2],
    [255, 2],
    [3000, 3],
  ])('keeps exactly the ids whose last %i-of-16^%i ending is below the count, in either case', (chosen, digits) => {
    const pattern = new RegExp(`^${traceSampleRegexp(chosen, digits)}$`);
    for (let value = 0; value < 16 ** digits; value++) {
      const ending = value.toString(16).padStart(digits, '0');
      const id = `4bf92f3577b34da6a3ce929d0e0e${ending}`;
      expect([pattern.test(id), pattern.test(id.toUpperCase())]).toEqual([value < chosen, value < chosen]);
    }
  });

  it('takes enough digits that the share kept is within an eighth of the share asked', () => {
    expect(sampleShare(0.25)).toEqual({ chosen: 64, digits: 2, share: 0.25 });
    const small = sampleShare(0.0001);
    expect(small.digits).toBe(5);
    expect(small.share).toBeLessThanOrEqual(0.0001);
    expect(small.share).toBeGreaterThan(0.0001 * (7 / 8));
  });
});

describe('service map requests', () => {
  it('counts entry spans (server, consumer or root) per service with errors and duration percentiles, and the spans of the range', () => {
    const built = buildNodeStatsRequest(jaeger, window, { tags: [] });
    expect('body' in built).toBe(true);
    const { body } = built as unknown as { body: { track_total_hits: boolean; aggs: { services: { terms: unknown; aggs: { entry: { filter: { bool: { should: unknown[] } }; aggs: Record<string, unknown> } } } } } };
    expect(body.track_total_hits).toBe(true);
    expect(body.aggs.services.terms).toEqual({ field: 'process.serviceName', size: 1000 });
    expect(body.aggs.services.aggs.entry.filter.bool.should).toEqual(expect.arrayContaining([kindClause(jaeger, 'server'), kindClause(jaeger, 'consumer')]));
    expect(body.aggs.services.aggs.entry.aggs.duration).toEqual({ percentiles: { field: 'duration', percents: [50, 95] } });
  });

  it('reads microsecond percentiles as milliseconds and says when services were cut', () => {
    const built = buildNodeStatsRequest(jaeger, window, { tags: [] }) as Parameters<typeof readNodeStats>[1];
    const read = readNodeStats(
      {
        hits: { total: { value: 12, relation: 'eq' }, hits: [] },
        aggregations: { services: { sum_other_doc_count: 3, buckets: [{ key: 'api', doc_count: 9, entry: { doc_count: 4, errors: { doc_count: 1 }, duration: { values: { '50.0': 1500, '95.0': 2500.5 } } } }] } },
      },
      built
    );
    expect(read.spans).toBe(12);
    expect(read.services.get('api')).toEqual({ requests: 4, errors: 1, p50Ms: 1.5, p95Ms: 2.501 });
    // 12 spans in the range: 9 in the bucket, 3 in services beyond the first 1,000, none without a service.
    expect(read.warnings).toEqual(['more than 1000 services: only the 1000 with the most spans are on the map']);
  });

  it('says how many spans of the range name no service, which no services bucket holds', () => {
    const built = buildNodeStatsRequest(jaeger, window, { tags: [] }) as Parameters<typeof readNodeStats>[1];
    const read = readNodeStats({ hits: { total: { value: 10, relation: 'eq' }, hits: [] }, aggregations: { services: { sum_other_doc_count: 0, buckets: [{ key: 'api', doc_count: 8 }] } } }, built);
    expect(read.warnings).toEqual(['2 spans of the range name no service: not among the services\' requests']);
  });

  it('pages spans with only the fields the map reads, sorted so every span has one place, with the sample as a regexp on the trace id', () => {
    const body = buildEdgeSpansRequest(jaeger, window, { tags: [] }, { chosen: 64, digits: 2 }, ['x'], 500) as Record<string, unknown>;
    expect(body._source).toEqual({ includes: expect.arrayContaining(['references', 'tags', 'process.serviceName']) });
    expect(JSON.stringify(body._source)).not.toContain('logs');
    expect(body.search_after).toEqual(['x']);
    expect(body.sort).toEqual([...jaeger.schema.pagingSort(jaeger.catalog), { traceID: 'asc' }]);
    expect(JSON.stringify(body.query)).toContain(JSON.stringify({ regexp: { traceID: { value: traceSampleRegexp(64, 2), flags: 'NONE' } } }));
  });

  it('asks for spans expected to fit one page in index order, with no sort to pay for, and otherwise without events', () => {
    const body = buildEdgeSpansRequest(bklog, window, { tags: [] }, undefined, null, 10_000) as Record<string, unknown>;
    expect(body.sort).toEqual(['_doc']);
    expect(body.search_after).toBeUndefined();
    expect(body._source).toEqual({ excludes: expect.arrayContaining(['events', 'links']) });
  });
});

describe('joining spans into edges', () => {
  it('draws caller to callee where a parent is in another service, with the callee side duration and status', () => {
    const trace = [
      span('01', undefined, 'web', 'server'),
      span('02', '01', 'web', 'client', { durationNano: BigInt(30_000_000) }),
      span('03', '02', 'api', 'server', { durationNano: BigInt(20_000_000), statusCode: 2 }),
      span('04', '03', 'api', 'internal'),
    ];
    const joined = joinEdges([trace]);
    expect([...joined.edges.values()]).toEqual([{ source: 'web', target: 'api', tally: { calls: 1, errors: 1, durations: [20] } }]);
    expect(joined.unnamedCalls).toBe(0);
  });

  it('sends a client span no traced service answered to the peer it names, counting those that name none and orphans', () => {
    const trace = [
      span('01', undefined, 'web', 'server'),
      span('02', '01', 'web', 'client', { attributes: { 'db.system': 'postgresql', 'db.namespace': 'orders' } }),
      span('03', '01', 'web', 'producer', { attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'a "b"' } }),
      span('04', '01', 'web', 'client'),
      span('05', 'ff', 'web', 'server'),
    ];
    const joined = joinEdges([trace]);
    expect([...joined.edges.values()].map((edge) => edge.target)).toEqual(['peer:postgresql orders', 'peer:kafka a "b"']);
    expect(joined.peerTags.get('peer:kafka a "b"')).toBe('messaging.system=kafka messaging.destination.name="a \\"b\\""');
    expect([joined.unnamedCalls, joined.orphans]).toEqual([1, 1]);
  });

  it('names peers by peer.service first, then server.address, and reads Elastic APM label keys', () => {
    expect(peerOf(span('1', undefined, 's', 'client', { attributes: { 'server.address': 'h', 'peer.service': 'p' } }))).toEqual({ name: 'p', tags: 'peer.service=p' });
    expect(peerOf(span('1', undefined, 's', 'client', { attributes: { 'server.address': 'h', 'db.system': 'redis' } }))).toEqual({ name: 'h', tags: 'server.address=h' });
    expect(peerOf(span('1', undefined, 's', 'client', { attributes: { db_system: 'redis' } }))).toEqual({ name: 'redis', tags: 'db_system=redis' });
    expect(peerOf(span('1', undefined, 's', 'client', { attributes: {} }))).toBeUndefined();
  });

  it('interpolates percentiles between closest ranks', () => {
    expect(exactPercentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(exactPercentile([10], 95)).toBe(10);
    expect(exactPercentile([], 50)).toBeNull();
  });
});
