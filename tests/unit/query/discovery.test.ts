import { resolveSchemas } from '../../../src/proto/detect';
import { buildValuesRequest } from '../../../src/query/discovery';

const keyword = { type: 'keyword' };
const apm = resolveSchemas('traces-apm*', {
  'traces-apm-default': {
    mappings: { properties: { processor: { properties: { event: keyword } }, trace: { properties: { id: keyword } }, service: { properties: { name: keyword } }, transaction: { properties: { name: keyword, duration: { properties: { us: { type: 'long' } } } } }, span: { properties: { id: keyword, name: keyword } }, timestamp: { properties: { us: { type: 'long' } } }, '@timestamp': { type: 'date' } } },
  },
}).groups[0];

describe('buildValuesRequest', () => {
  it('lists operations from every field that holds a span name (APM transactions and spans) for one service, in the window', () => {
    const built = buildValuesRequest(apm, 'name', { resolution: { pattern: '', groups: [apm], unknown: [] }, service: 'checkout', window: { fromNs: BigInt('1715678400000000000'), toNs: BigInt('1715682000000000000') } });
    expect(built).toEqual({
      body: {
        size: 0,
        track_total_hits: false,
        query: { bool: { filter: [{ range: { '@timestamp': { gte: 1715678400000, lte: 1715682000000, format: 'epoch_millis' } } }, { bool: { should: [{ term: { 'service.name': 'checkout' } }], minimum_should_match: 1 } }] } },
        aggs: { values_0: { terms: { field: 'span.name', size: 1000, order: { _key: 'asc' } } }, values_1: { terms: { field: 'transaction.name', size: 1000, order: { _key: 'asc' } } } },
      },
      warnings: [],
    });
  });

  it('passes a service name with query syntax as an exact term, never as query text', () => {
    const built = buildValuesRequest(apm, 'name', { resolution: { pattern: '', groups: [apm], unknown: [] }, service: 'a* OR "b":c\\' });
    expect(JSON.stringify('body' in built ? built.body : built)).toContain(JSON.stringify({ term: { 'service.name': 'a* OR "b":c\\' } }));
  });
});
