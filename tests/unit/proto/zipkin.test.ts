/**
 * The zipkin schema as Zipkin server writes it (zipkin-storage/elasticsearch BulkIndexWriter and
 * zipkin2.Span at 3.6.1): lower-cased names, Brave's shared client/server spans, endpoints.
 */
import { resolveSchemas } from '../../../src/proto/detect';
import type { LogicalSpan } from '../../../src/proto/model';
import { assembleTrace } from '../../../src/proto/trace';
import { spanToZipkinDocument, ZIPKIN_SPAN_MAPPING, zipkinSchema } from '../../../src/proto/zipkin';
import { buildValuesRequest } from '../../../src/query/discovery';
import { spanFilterClauses } from '../../../src/query/searchClauses';
import { hit, referenceSpan } from '../referenceSpan';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const zipkinGroup = resolveSchemas('zipkin-span-*', { 'zipkin-span-2026-12-01': { mappings: ZIPKIN_SPAN_MAPPING } }).groups[0];

/** Documents read as a trace is: every page, then the schema's finishing pass over the whole trace. */
function read(...sources: Array<Record<string, unknown>>): LogicalSpan[] {
  const { spans, warnings } = zipkinSchema.readHits(sources.map((source, i) => hit(source, `d${i}`)));
  expect(warnings).toEqual([]);
  zipkinSchema.finishTrace!(spans);
  return spans;
}

const base = { traceId: TRACE, timestamp: 1715678467123456, duration: 100, localEndpoint: { serviceName: 'frontend' } };

describe('zipkin names are lower-cased, as Zipkin stores them and as its API lowers queries', () => {
  it('lower-cases a typed service and operation before matching them as exact terms', () => {
    const clauses = spanFilterClauses(zipkinGroup, { tags: [], service: 'API', operation: ['GET /users/{id}', 'PlaceOrder'] });
    expect(clauses).toEqual({ ok: true, filter: [{ term: { 'localEndpoint.serviceName': 'api' } }, { terms: { name: ['get /users/{id}', 'placeorder'] } }], mustNot: [] });
  });

  it('lower-cases the service whose operations are listed', () => {
    const built = buildValuesRequest(zipkinGroup, 'name', { resolution: { pattern: '', groups: [zipkinGroup], unknown: [] }, service: 'Checkout' });
    expect(JSON.stringify('body' in built ? built.body : built)).toContain(JSON.stringify({ term: { 'localEndpoint.serviceName': 'checkout' } }));
  });

  it('writes span, service and remote service names lower-cased, as zipkin2.Span and Endpoint do', () => {
    const document = spanToZipkinDocument({ ...referenceSpan, name: 'GET /Api/Cart', serviceName: 'Checkout', attributes: { 'peer.service': 'Payment-API' } });
    expect(document).toMatchObject({ name: 'get /api/cart', localEndpoint: { serviceName: 'checkout' }, remoteEndpoint: { serviceName: 'payment-api' } });
  });
});

describe('a Brave-style shared span (client and server halves with one id)', () => {
  const client = { ...base, id: '00000000000000c1', parentId: '00000000000000a1', kind: 'CLIENT', name: 'get /users' };
  const server = { ...base, id: '00000000000000c1', parentId: '00000000000000a1', kind: 'SERVER', name: 'get /users', shared: true, timestamp: base.timestamp + 10, duration: 50, localEndpoint: { serviceName: 'users' } };
  const child = { ...base, id: '00000000000000d1', parentId: '00000000000000c1', name: 'select user', timestamp: base.timestamp + 20, duration: 10, localEndpoint: { serviceName: 'users' } };
  const root = { ...base, id: '00000000000000a1', name: 'home', duration: 500 };

  it('shows both halves: the client keeps the id, the server half gets its own display id under the client', () => {
    const spans = read(root, client, server, child);
    expect(spans.map((span) => [span.spanId, span.parentSpanId, span.kind, span.serviceName])).toEqual([
      ['00000000000000a1', undefined, 'internal', 'frontend'],
      ['00000000000000c1', '00000000000000a1', 'client', 'frontend'],
      ['00000000000000c1-server', '00000000000000c1', 'server', 'users'],
      ['00000000000000d1', '00000000000000c1-server', 'internal', 'users'],
    ]);
    expect(spans[2].attributes).toEqual({ 'zipkin.span_id': '00000000000000c1' });
    expect(spans[2].source.warnings).toEqual(['shares its span id 00000000000000c1 with the client span of this call (a Brave-style shared span); shown under it with its own id']);
    expect(spans[1].source.warnings).toEqual([]);
  });

  it('puts a child read in another page than its server half under the server half once the trace is read whole', () => {
    const pages = [[root, client, server], [child]].map((page) => zipkinSchema.readHits(page.map((source, i) => hit(source, `d${i}`))).spans);
    const spans = pages.flat();
    expect(spans[3].parentSpanId).toBe('00000000000000c1');
    zipkinSchema.finishTrace!(spans);
    expect(spans.map((span) => [span.spanId, span.parentSpanId])).toEqual([
      ['00000000000000a1', undefined],
      ['00000000000000c1', '00000000000000a1'],
      ['00000000000000c1-server', '00000000000000c1'],
      ['00000000000000d1', '00000000000000c1-server'],
    ]);
  });

  it('hides nothing once the trace is assembled: four spans, no duplicate merged, no orphan', () => {
    const trace = assembleTrace(read(root, server, child, client));
    expect(trace.spans).toHaveLength(4);
    expect(trace.facts).toMatchObject({ spanCount: 4, duplicatesMerged: 0, orphans: 0, depth: 4 });
    expect(trace.warnings).toEqual([]);
  });

  it('writes the server half back under its stored id with shared: true, and its children under that id', () => {
    const [readServer, readChild] = read(server, child);
    expect(spanToZipkinDocument(readServer)).toMatchObject({ id: '00000000000000c1', shared: true, kind: 'SERVER' });
    expect(spanToZipkinDocument(readServer).tags).toBeUndefined();
    expect(spanToZipkinDocument(readChild).parentId).toBe('00000000000000c1');
    const again = read(spanToZipkinDocument(readServer), spanToZipkinDocument(readChild));
    expect(again.map((span) => [span.spanId, span.parentSpanId])).toEqual([
      ['00000000000000c1-server', '00000000000000c1'],
      ['00000000000000d1', '00000000000000c1-server'],
    ]);
  });
});

describe('endpoints as OpenTelemetry attributes (the Zipkin -> OTLP mapping)', () => {
  it('reads the remote endpoint as peer.service and network.peer.*, and for a client also server.*', () => {
    const [span] = read({ ...base, id: '00000000000000e1', kind: 'CLIENT', name: 'query', remoteEndpoint: { serviceName: 'postgres', ipv4: '10.0.0.7', port: 5432 }, localEndpoint: { serviceName: 'users', ipv6: '2001:db8::1', port: 8080 } });
    expect(span.attributes).toEqual({
      'peer.service': 'postgres',
      'network.peer.address': '10.0.0.7',
      'network.peer.port': 5432,
      'server.address': '10.0.0.7',
      'server.port': 5432,
      'network.local.address': '2001:db8::1',
      'network.local.port': 8080,
    });
  });

  it('leaves server.* to client and producer spans, and lets explicit tags win over the endpoint', () => {
    const [span] = read({ ...base, id: '00000000000000e2', kind: 'SERVER', name: 'get', remoteEndpoint: { serviceName: 'browser', ipv6: '::1' }, tags: { 'peer.service': 'Edge' } });
    expect(span.attributes).toEqual({ 'peer.service': 'Edge', 'network.peer.address': '::1' });
  });

  it('names the ipv6 it cannot show when an endpoint has both addresses', () => {
    const [span] = read({ ...base, id: '00000000000000e3', name: 'get', remoteEndpoint: { ipv4: '10.0.0.8', ipv6: '2001:db8::8' } });
    expect(span.attributes['network.peer.address']).toBe('10.0.0.8');
    expect(span.source.warnings).toEqual(['the remote endpoint also has the IPv6 address 2001:db8::8; network.peer.address shows its IPv4 address']);
  });

  it('writes the endpoint attributes back into the endpoints, so ingest round-trips them', () => {
    const [span] = read({ ...base, id: '00000000000000e1', kind: 'CLIENT', name: 'query', remoteEndpoint: { serviceName: 'postgres', ipv4: '10.0.0.7', port: 5432 }, localEndpoint: { serviceName: 'users', ipv6: '2001:db8::1', port: 8080 } });
    const document = spanToZipkinDocument(span);
    expect(document).toMatchObject({ remoteEndpoint: { serviceName: 'postgres', ipv4: '10.0.0.7', port: 5432 }, localEndpoint: { serviceName: 'users', ipv6: '2001:db8::1', port: 8080 } });
    expect(document.tags).toBeUndefined();
    expect(read(document)[0].attributes).toEqual(span.attributes);
  });

  it('keeps as tags what is no endpoint: a host name as server.address, a port given as text', () => {
    const document = spanToZipkinDocument({ ...referenceSpan, kind: 'client', statusCode: 0, statusMessage: undefined, attributes: { 'server.address': 'checkout', 'server.port': 8080, 'network.peer.port': '443' } });
    expect(document.remoteEndpoint).toBeUndefined();
    expect(document.tags).toEqual({ 'server.address': 'checkout', 'server.port': '8080', 'network.peer.port': '443' });
  });
});

describe('what else zipkin-server writes', () => {
  it('indexes annotation values in _q and leaves out tags whose key=value is longer than 256 characters, as BulkIndexWriter does', () => {
    const edge = 'y'.repeat(251);
    const document = spanToZipkinDocument({ ...referenceSpan, statusCode: 0, statusMessage: undefined, attributes: { short: 'v', edge, long: 'x'.repeat(252) } });
    expect(document._q).toEqual(['cache.miss', 'short', 'short=v', 'edge', `edge=${edge}`]);
  });

  it('reads the dropped counts the OpenTelemetry exporters write as otel.dropped_*_count tags', () => {
    const [span] = read({ ...base, id: '00000000000000f1', name: 'get', tags: { 'otel.dropped_attributes_count': '3', 'otel.dropped_events_count': '1', 'otel.dropped_links_count': '2', keep: 'me' } });
    expect(span).toMatchObject({ droppedAttributesCount: 3, droppedEventsCount: 1, droppedLinksCount: 2, attributes: { keep: 'me' } });
    expect(Object.keys(span.attributes)).toEqual(['keep']);
  });
});
