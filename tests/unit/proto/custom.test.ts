import { checkOverrides, customSchema, readLenientTime } from '../../../src/proto/custom';
import { resolveSchemas } from '../../../src/proto/detect';
import { catalogFromMapping } from '../../../src/proto/fieldCatalog';

const mapping = { properties: { tid: { type: 'keyword' }, sid: { type: 'keyword' }, when: { type: 'date' }, took_us: { type: 'long' }, svc: { type: 'keyword' }, tags: { properties: { a: { type: 'keyword' } } } } };

describe('custom field layouts', () => {
  it('checks every configured path against the mapping and names what is missing', () => {
    expect(checkOverrides({ traceId: 'tid', spanId: 'sid', start: 'when', duration: 'took_us', attributesPrefix: 'tags' }, catalogFromMapping(mapping))).toEqual([]);
    expect(checkOverrides({ traceId: 'trace', start: 'when', serviceName: 'service', attributesPrefix: 'labels' }, catalogFromMapping(mapping))).toEqual([
      'the spanId field is not set',
      "traceId field 'trace' is not in the mapping",
      "serviceName field 'service' is not in the mapping",
      "attributes prefix 'labels' matches no field in the mapping",
    ]);
  });

  it('refuses a pattern the layout fits nowhere, saying why', () => {
    expect(() => resolveSchemas('spans*', { spans: { mappings: mapping } }, 'custom', { traceId: 'nope', spanId: 'sid', start: 'when' })).toThrow("the custom field layout does not fit index pattern 'spans*': spans: traceId field 'nope' is not in the mapping");
  });

  it('reads times in any epoch unit, ISO 8601 and otel "ms.ns"', () => {
    expect(readLenientTime(1715678467)).toBe(BigInt('1715678467000000000'));
    expect(readLenientTime(1715678467123)).toBe(BigInt('1715678467123000000'));
    expect(readLenientTime(1715678467123456)).toBe(BigInt('1715678467123456000'));
    expect(readLenientTime('1715678467123456789')).toBe(BigInt('1715678467123456789'));
    expect(readLenientTime('2024-05-14T09:21:07.123456789Z')).toBe(BigInt('1715678467123456789'));
    expect(readLenientTime('1715678467123.5000')).toBe(BigInt('1715678467123005000'));
    expect(readLenientTime('soon')).toBeUndefined();
  });

  it('reads a document by the configured paths', () => {
    const schema = customSchema({ traceId: 'tid', spanId: 'sid', start: 'when', duration: 'took_us', durationUnit: 'us', serviceName: 'svc', statusCode: 'failed', attributesPrefix: 'tags' });
    const { spans, warnings } = schema.readHits([{ _index: 'spans', _id: '1', _source: { tid: 'AB12', sid: 'cd34', when: '2024-05-14T09:21:07Z', took_us: 1500, svc: 'checkout', failed: true, tags: { a: 'x', b: { c: 2 } } } }]);
    expect(warnings).toEqual([]);
    expect(spans[0]).toMatchObject({ traceId: 'ab12', spanId: 'cd34', serviceName: 'checkout', durationNano: BigInt(1_500_000), statusCode: 2, attributes: { a: 'x', 'b.c': 2 }, source: { schema: 'custom', warnings: [] } });
  });
});
