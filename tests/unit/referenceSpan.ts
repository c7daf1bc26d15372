/** The fake span of the storage-schema notes, as a logical span, shared by the unit tests. */
import type { LogicalSpan } from '../../src/proto/model';

export const referenceSpan: LogicalSpan = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  parentSpanId: '5f2c1a9e7b3d4c61',
  name: 'GET /api/cart',
  serviceName: 'checkout',
  kind: 'server',
  startTimeUnixNano: BigInt('1715678467123456789'),
  durationNano: BigInt(42_500_000),
  statusCode: 2,
  statusMessage: 'upstream timeout',
  attributes: { 'http.route': '/api/cart', 'http.response.status_code': 504 },
  resourceAttributes: { 'service.name': 'checkout' },
  events: [{ timeUnixNano: BigInt('1715678467153456789'), name: 'cache.miss', attributes: { 'cache.key': 'cart:42' } }],
  links: [],
  source: { schema: 'test', index: '', warnings: [] },
};

/** A search hit around a `_source`, as the engine returns it. */
export const hit = (source: Record<string, unknown>, id = '1', index = 'i') => ({ _index: index, _id: id, _source: source });

/** The core of an otel exporter's span mapping, as the unit tests of request shapes give it: ids, name, kind, duration, status. */
export const OTEL_CORE_PROPERTIES = {
  '@timestamp': { type: 'date_nanos' },
  trace_id: { type: 'keyword' },
  span_id: { type: 'keyword' },
  name: { type: 'keyword' },
  kind: { type: 'keyword' },
  duration: { type: 'long' },
  status: { properties: { code: { type: 'keyword' } } },
};
