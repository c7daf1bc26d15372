/**
 * `bklog-log`, the seed system's LOG protocol. The fixture documents and mapping follow the seed's
 * LogTrace: MUST_MATCH keywords, `startTime` in milliseconds (it multiplies by 1000 for Jaeger and
 * formats with int(ms / 1000)), `duration` in the same unit (its tree adds it to `startTime`,
 * "unit": "ms"), `tags.local_service` / `tags.error` / `tags.result_code` / `tags.scene`, the text
 * `log`, and `dtEventTimeStamp`.
 */
import fs from 'fs';
import path from 'path';

import { bklogLogLogSchema, bklogLogSchema } from '../../../src/proto/bklogLog';
import { resolveSchemas } from '../../../src/proto/detect';
import { catalogFromMapping } from '../../../src/proto/fieldCatalog';
import { resolveLogSchemas } from '../../../src/proto/logDetect';
import type { LogicalSpan } from '../../../src/proto/model';
import type { StoredHit } from '../../../src/proto/schema';
import { hit, referenceSpan } from '../referenceSpan';

const FIXTURES = path.join(__dirname, '../../fixtures/bklog-log');
const fixture = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
const documents = fixture<StoredHit[]>('documents.json');
const seedMapping = fixture<{ mappings: unknown }>('mapping.json');
const jaegerMapping = fixture<{ mappings: unknown }>('jaeger-mapping.json');

const MS = BigInt(1_000_000);
const TRACE = '6f9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d';
const INDEX = '2_bklog_trace_demo_20230514';

describe('bklog-log reading the seed documents', () => {
  const { spans, warnings } = bklogLogSchema.readHits(documents);

  it('reads a root record: millisecond start and duration, service from tags.local_service, the log text as one event at the start', () => {
    expect(spans[0]).toEqual({
      traceId: TRACE,
      spanId: '1a2b3c4d5e6f7081',
      parentSpanId: undefined,
      name: 'POST /api/order',
      serviceName: 'order',
      kind: 'unspecified',
      startTimeUnixNano: BigInt(1684030000123) * MS,
      durationNano: BigInt(250) * MS,
      statusCode: 0,
      attributes: { scene: 'checkout', result_code: 0, 'http.method': 'POST' },
      resourceAttributes: { 'service.name': 'order' },
      events: [{ timeUnixNano: BigInt(1684030000123) * MS, name: 'log', attributes: { message: 'order 42 created for user 7' } }],
      links: [],
      source: { schema: 'bklog-log', index: INDEX, id: 'root', warnings: [] },
    });
  });

  it('reads tags.error true as an error, a kind tag as the kind, and a float duration exactly', () => {
    expect(spans[1]).toMatchObject({
      spanId: '2b3c4d5e6f708192',
      parentSpanId: '1a2b3c4d5e6f7081',
      serviceName: 'payment',
      kind: 'client',
      statusCode: 2,
      durationNano: BigInt(12_500_000),
      attributes: { scene: 'checkout', result_code: 502, 'peer.service': 'bank' },
      events: [{ timeUnixNano: BigInt(1684030000180) * MS, name: 'log', attributes: { message: 'charge refused: "insufficient funds"' } }],
    });
  });

  it('reads a startTime mapped as a date and stored as ISO text, and a record without log text has no event', () => {
    expect(spans[2]).toMatchObject({ spanId: '3c4d5e6f708192a3', startTimeUnixNano: BigInt(1684030000300) * MS, durationNano: BigInt(40) * MS, events: [], attributes: { result_code: 0 } });
  });

  it('skips a record without startTime, naming it in one warning', () => {
    expect(spans.map((span) => span.source.id)).toEqual(['root', 'child', 'dated']);
    expect(warnings).toEqual([`1 document was skipped because they could not be read as spans (document ${INDEX}/no-start has no readable startTime)`]);
  });

  it('warns on the span when the duration cannot be read, showing it as 0', () => {
    const [span] = bklogLogSchema.readHits([hit({ ...documents[0]._source, duration: 'slow' })]).spans;
    expect(span.durationNano).toBe(BigInt(0));
    expect(span.source.warnings).toEqual(['the document has no valid duration; shown as 0']);
  });

  it('keeps a kind tag that names no kind as an attribute', () => {
    const [span] = bklogLogSchema.readHits([hit({ ...documents[0]._source, tags: { local_service: 'order', kind: 'batch' } })]).spans;
    expect(span.kind).toBe('unspecified');
    expect(span.attributes).toEqual({ kind: 'batch' });
  });
});

describe('bklog-log writing', () => {
  it('writes a span as the seed stores it: millisecond longs, service and error in tags, the first event as log', () => {
    const [written] = bklogLogSchema.writeSpans([referenceSpan], 'spans');
    expect(written).toEqual({
      index: 'spans',
      document: {
        traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanID: '00f067aa0ba902b7',
        parentSpanID: '5f2c1a9e7b3d4c61',
        operationName: 'GET /api/cart',
        startTime: 1715678467123,
        duration: 42,
        tags: { 'http.route': '/api/cart', 'http.response.status_code': 504, local_service: 'checkout', error: true, 'span.kind': 'server' },
        dtEventTimeStamp: 1715678467123,
        log: 'cache.miss',
      },
    });
  });

  it('gives a root an empty parentSpanID, and takes the log text from the message attribute of the first event', () => {
    const root: LogicalSpan = { ...referenceSpan, parentSpanId: undefined, events: [{ timeUnixNano: referenceSpan.startTimeUnixNano, name: 'log', attributes: { message: 'hello' } }] };
    const { document } = bklogLogSchema.writeSpans([root], 'spans')[0];
    expect(document.parentSpanID).toBe('');
    expect(document.log).toBe('hello');
  });

  it('leaves out attributes the typed tags cannot hold', () => {
    const span: LogicalSpan = { ...referenceSpan, attributes: { 'error.type': 'timeout', result_code: 'E42', scene: 'checkout', error: 'boom', 'app.ok': 1 } };
    expect(bklogLogSchema.writeSpans([span], 'spans')[0].document.tags).toEqual({ scene: 'checkout', 'app.ok': 1, local_service: 'checkout', error: true, 'span.kind': 'server' });
  });

  it('reads its own writing back up to what the layout cannot hold', () => {
    const written = bklogLogSchema.writeSpans([referenceSpan], 'spans').map(({ document }) => hit(document));
    const { spans, warnings } = bklogLogSchema.readHits(written);
    expect(warnings).toEqual([]);
    const startNs = BigInt(1715678467123) * MS;
    expect(spans).toEqual([
      {
        ...referenceSpan,
        // Milliseconds only; no status message; the first event's text as the one event.
        startTimeUnixNano: startNs,
        durationNano: BigInt(42) * MS,
        statusMessage: undefined,
        events: [{ timeUnixNano: startNs, name: 'log', attributes: { message: 'cache.miss' } }],
        source: { schema: 'bklog-log', index: 'i', id: '1', warnings: [] },
      },
    ]);
  });
});

describe('bklog-log detection', () => {
  it('detects a mapping like the seed index set', () => {
    const resolution = resolveSchemas('2_bklog_trace_*', { [INDEX]: seedMapping });
    expect(resolution.groups.map((group) => group.schema.name)).toEqual(['bklog-log']);
    expect(resolution.groups[0].evidence).toEqual(['parentSpanID', 'spanID', 'traceID', 'operationName', 'duration', 'startTime', 'tags.local_service', 'dtEventTimeStamp', 'log', 'tags.error', 'tags.result_code', 'tags.scene']);
  });

  it('detects the mapping it creates itself', () => {
    const [setup] = bklogLogSchema.indexSetups('spans', 'template');
    expect(resolveSchemas('spans', { spans: setup.body }).groups.map((group) => group.schema.name)).toEqual(['bklog-log']);
  });

  it("leaves Jaeger's span index to jaeger although it has every MUST_MATCH field", () => {
    expect(bklogLogSchema.detect(catalogFromMapping(jaegerMapping.mappings)).score).toBe(0);
    expect(resolveSchemas('jaeger-span-*', { 'jaeger-span-2023-05-14': jaegerMapping }).groups.map((group) => group.schema.name)).toEqual(['jaeger']);
  });

  it('refuses an integer duration and keyword-less ids, as the seed does', () => {
    const properties = (seedMapping.mappings as { properties: Record<string, unknown> }).properties;
    expect(bklogLogSchema.detect(catalogFromMapping({ properties: { ...properties, duration: { type: 'integer' } } })).score).toBe(0);
    expect(bklogLogSchema.detect(catalogFromMapping({ properties: { ...properties, traceID: { type: 'text' } } })).score).toBe(0);
  });

  it('accepts a startTime mapped as a date', () => {
    const properties = (seedMapping.mappings as { properties: Record<string, unknown> }).properties;
    expect(bklogLogSchema.detect(catalogFromMapping({ properties: { ...properties, startTime: { type: 'date' } } })).score).toBeGreaterThan(0);
  });
});

describe('bklog-log time range and paging by the mapped type of startTime', () => {
  const fromNs = BigInt(1684030000123) * MS + BigInt(456_789);
  const toNs = BigInt(1684030060000) * MS;
  const properties = (seedMapping.mappings as { properties: Record<string, unknown> }).properties;

  it('filters a long startTime in milliseconds', () => {
    const catalog = catalogFromMapping(seedMapping.mappings);
    expect(bklogLogSchema.timeRange(catalog, fromNs, toNs)).toEqual({ range: { startTime: { gte: 1684030000123, lte: 1684030060000 } } });
    expect(bklogLogSchema.pagingSort(catalog)).toEqual([{ startTime: 'asc' }, { spanID: { order: 'asc', unmapped_type: 'keyword' } }]);
  });

  it('filters a date startTime in epoch_millis', () => {
    const catalog = catalogFromMapping({ properties: { ...properties, startTime: { type: 'date' } } });
    expect(bklogLogSchema.timeRange(catalog, fromNs, toNs)).toEqual({ range: { startTime: { gte: 1684030000123, lte: 1684030060000, format: 'epoch_millis' } } });
    expect(bklogLogSchema.pagingSort(catalog)[0]).toEqual({ startTime: { order: 'asc', numeric_type: 'date' } });
  });
});

describe('bklog-log records as log lines', () => {
  it('reads the log text of a span record as a log line with its ids, service and time', () => {
    expect(bklogLogLogSchema.readHit(documents[1])).toEqual({
      timeUnixNano: BigInt(1684030000180) * MS,
      traceId: TRACE,
      spanId: '2b3c4d5e6f708192',
      body: 'charge refused: "insufficient funds"',
      attributes: { scene: 'checkout', result_code: 502, error: true, kind: 'client', 'peer.service': 'bank' },
      resourceAttributes: { 'service.name': 'payment' },
    });
  });

  it('falls back to startTime when dtEventTimeStamp is missing', () => {
    const { dtEventTimeStamp: _time, ...source } = documents[0]._source!;
    const record = bklogLogLogSchema.readHit(hit(source));
    expect(typeof record === 'string' ? record : record.timeUnixNano).toBe(BigInt(1684030000123) * MS);
  });

  it('leaves span records without log text out of log searches', () => {
    expect(bklogLogLogSchema.notLogs).toEqual({ bool: { must_not: [{ exists: { field: 'log' } }] } });
  });

  it('detects the seed index set as logs too, and not a Jaeger span index', () => {
    expect(resolveLogSchemas('x', { [INDEX]: seedMapping }).groups.map((group) => group.schema.name)).toEqual(['bklog-log']);
    expect(resolveLogSchemas('x', { 'jaeger-span-2023-05-14': jaegerMapping }).groups).toEqual([]);
  });

  it('writes a log record in the same layout, to NAME-logs, without severity', () => {
    const written = bklogLogLogSchema.writeLogs(
      [{ timeUnixNano: BigInt(1684030000180) * MS + BigInt(999_999), traceId: TRACE, spanId: '2b3c4d5e6f708192', severityText: 'ERROR', body: 'charge refused', attributes: { 'app.try': 2 }, resourceAttributes: { 'service.name': 'payment', 'host.name': 'h1' } }],
      'spans'
    );
    expect(written).toEqual([{ index: 'spans-logs', document: { traceID: TRACE, spanID: '2b3c4d5e6f708192', dtEventTimeStamp: 1684030000180, log: 'charge refused', tags: { 'app.try': 2, local_service: 'payment' } } }]);
  });
});
