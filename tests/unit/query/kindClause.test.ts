import { resolveSchemas } from '../../../src/proto/detect';
import { APM_MAPPING } from '../../../src/proto/elasticApm';
import { otelTemplateMapping } from '../../../src/proto/otel';
import { BKLOG_SPAN_MAPPING } from '../../../src/proto/bklog';
import { ZIPKIN_SPAN_MAPPING } from '../../../src/proto/zipkin';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import { kindClause, rootClause, spanFilterClauses, uncertainRootClause } from '../../../src/query/searchClauses';

const group = (name: string, mappings: unknown) => resolveSchemas(`${name}*`, { [`${name}-1`]: { mappings } }).groups[0];

describe('span kind clauses', () => {
  it('match every OTLP spelling of the kind on a keyword field', () => {
    expect(kindClause(group('traces-generic.otel-default', otelTemplateMapping('spans')), 'server')).toEqual({ terms: { kind: ['server', 'Server', 'SERVER', 'SPAN_KIND_SERVER'] } });
  });

  it('match the enum number on a numeric field', () => {
    expect(kindClause(group('bk-span', BKLOG_SPAN_MAPPING), 'consumer')).toEqual({ terms: { kind: [5] } });
  });

  it('count spans without a kind as internal where the producer leaves internal out (Zipkin)', () => {
    // The first span with a kind maps the field (Zipkin's template leaves it to its dynamic strings rule).
    const properties = (ZIPKIN_SPAN_MAPPING as { properties: Record<string, unknown> }).properties;
    const zipkin = group('zipkin-span', { ...ZIPKIN_SPAN_MAPPING, properties: { ...properties, kind: { type: 'keyword' } } });
    expect(JSON.stringify(kindClause(zipkin, 'internal'))).toContain(JSON.stringify({ bool: { must_not: [{ exists: { field: 'kind' } }] } }));
    expect(kindClause(zipkin, 'server')).toEqual({ terms: { kind: ['server', 'Server', 'SERVER', 'SPAN_KIND_SERVER'] } });
  });

  it('derive Elastic APM kinds the reader derives when span.kind is absent: a messaging transaction is a consumer', () => {
    const consumer = JSON.stringify(kindClause(group('traces-apm', APM_MAPPING), 'consumer'));
    expect(consumer).toContain(JSON.stringify({ term: { 'processor.event': 'transaction' } }));
    expect(consumer).toContain(JSON.stringify({ term: { 'transaction.type': 'messaging' } }));
  });

  it('filter a search by kind, and refuse a layout that keeps none with the reason', () => {
    const otel = group('traces-generic.otel-default', otelTemplateMapping('spans'));
    const clauses = spanFilterClauses(otel, { tags: [], kind: ['client', 'producer'] });
    expect(clauses.ok && JSON.stringify(clauses.filter)).toContain('SPAN_KIND_PRODUCER');
    const mappings = { properties: { tid: { type: 'keyword' }, sid: { type: 'keyword' }, at: { type: 'date' } } };
    const bare = resolveSchemas('bare*', { 'bare-1': { mappings } }, 'custom', { traceId: 'tid', spanId: 'sid', start: 'at' }).groups[0];
    const refused = spanFilterClauses(bare, { tags: [], kind: 'server' });
    expect(refused.ok ? 'ok' : refused.reason).toMatch(/keeps no span kind, so the kind filter cannot apply to it/);
  });
});

describe('root clauses where Jaeger keeps parents as references', () => {
  const jaeger = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: JAEGER_SPAN_MAPPING } }).groups[0];
  const followsFrom = { nested: { path: 'references', query: { term: { 'references.refType': 'FOLLOWS_FROM' } } } };

  it('leave FOLLOWS_FROM references to search (its root is the earliest such span) but not to a strict count', () => {
    expect(JSON.stringify(rootClause(jaeger))).not.toContain('FOLLOWS_FROM');
    expect((rootClause(jaeger, true) as { bool: { must_not: unknown[] } }).bool.must_not).toContainEqual(followsFrom);
  });

  it('single out the spans only reading can tell: no parent field, no CHILD_OF, a FOLLOWS_FROM', () => {
    expect(uncertainRootClause(jaeger)).toEqual({ bool: { filter: [rootClause(jaeger), followsFrom] } });
    expect(uncertainRootClause(group('traces-generic.otel-default', otelTemplateMapping('spans')))).toBeUndefined();
  });
});
