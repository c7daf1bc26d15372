/**
 * The `ss4o` layout of the OpenTelemetry Collector contrib opensearchexporter. The fixture documents
 * follow the exporter's Go structs (`ssoSpan`, `ssoSpanEvent`, `ssoSpanLinks`, `ssoRecord` in
 * exporter/opensearchexporter, v0.115): field order, empty strings, Go's RFC 3339 times with trailing
 * zeros dropped, words for kind and status, a text-only flat `resource` map and the injected
 * `attributes.data_stream`. The mappings are what OpenSearch 2.19.1's dynamic mapping made of them.
 */
import { DATA_PREPPER_SPAN_MAPPING } from '../../../src/proto/dataPrepper';
import { resolveSchemas } from '../../../src/proto/detect';
import { resolveLogSchemas } from '../../../src/proto/logDetect';
import type { LogicalSpan } from '../../../src/proto/model';
import { formatGoTime, logToSs4oDocument, spanToSs4oDocument, ss4oLogSchema, ss4oSchema } from '../../../src/proto/ss4o';
import { findTagKeys } from '../../../src/query/discovery';
import type { TraceSearcher } from '../../../src/query/fetchTrace';
import { spanFilterClauses } from '../../../src/query/searchClauses';
import spanDocuments from '../../fixtures/ss4o/spans.json';
import logDocuments from '../../fixtures/ss4o/logs.json';
import spanMapping from '../../fixtures/ss4o/mapping-spans.json';
import exporterRequest from '../../fixtures/ss4o/exporter-request.json';
import exporterWritten from '../../fixtures/ss4o/exporter-written.json';
import { logRecordsFromOtlp, type OtlpLogsRequest, type OtlpTraceRequest, spansFromOtlp } from '../../../src/proto/otlp';
import logMapping from '../../fixtures/ss4o/mapping-logs.json';
import { hit, referenceSpan } from '../referenceSpan';

const INDEX = 'ss4o_traces-default-namespace';
const TRACE = '5b8efff798038103d269b633813fc60c';
const stored = (document: object, id: string) => hit(document as Record<string, unknown>, id, INDEX);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('reading the exporter span documents', () => {
  const { spans, warnings } = ss4oSchema.readHits(spanDocuments.map((document, i) => stored(document, `s${i}`)));

  it('reads all three without a warning', () => {
    expect(warnings).toEqual([]);
    expect(spans).toHaveLength(3);
  });

  it('reads a server root span with events: nanosecond times from the strings, Error status, no data_stream attribute', () => {
    expect(spans[0]).toEqual({
      traceId: TRACE,
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: undefined,
      name: 'GET /api/cart',
      serviceName: 'checkout',
      kind: 'server',
      startTimeUnixNano: BigInt('1715678467123456789'),
      // endTime .1659567 is .165956700: Go drops the trailing zeros.
      durationNano: BigInt(165_956_700 - 123_456_789),
      statusCode: 2,
      statusMessage: 'upstream timeout',
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 504, 'http.route': '/api/cart', 'retry.delays': [0.5, 2.5] },
      resourceAttributes: { 'host.cpu.count': '4', 'service.name': 'checkout', 'service.instance.id': 'checkout-7d9f' },
      resourceSchemaUrl: undefined,
      scope: { name: 'io.opentelemetry.tomcat-10.0', version: '2.1.0', attributes: undefined, schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' },
      traceState: 'rojo=00f067aa0ba902b7',
      events: [
        { timeUnixNano: BigInt('1715678467153456789'), name: 'cache.miss', attributes: { 'cache.key': 'cart:42' }, droppedAttributesCount: undefined },
        { timeUnixNano: BigInt('1715678467160000000'), name: 'exception', attributes: { 'exception.message': 'upstream timeout', 'exception.type': 'TimeoutError' }, droppedAttributesCount: 1 },
      ],
      links: [],
      droppedAttributesCount: undefined,
      droppedEventsCount: undefined,
      droppedLinksCount: undefined,
      source: { schema: 'ss4o', index: INDEX, id: 's0', warnings: [] },
    });
  });

  it('reads a client child span with links, scope attributes and dropped counts', () => {
    expect(spans[1]).toMatchObject({
      parentSpanId: 'eee19b7ec3c1b174',
      kind: 'client',
      startTimeUnixNano: BigInt('1715678467130000000'),
      durationNano: BigInt(20_000_000),
      statusCode: 1,
      statusMessage: undefined,
      attributes: { 'db.system': 'redis', 'server.port': 6379 },
      scope: { name: 'io.opentelemetry.lettuce-5.1', version: '2.1.0-alpha', attributes: { 'library.flavour': 'lettuce' }, schemaUrl: undefined },
      traceState: undefined,
      events: [],
      links: [
        { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceState: 'congo=t61rcWkgMzE', attributes: { 'link.reason': 'batch' }, droppedAttributesCount: 3 },
        { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b8', traceState: undefined, attributes: {}, droppedAttributesCount: undefined },
      ],
      droppedAttributesCount: 2,
      droppedEventsCount: undefined,
      droppedLinksCount: 1,
    });
  });

  it('reads a span without resource or scope, whose event has only the observed time the exporter gives timeless events', () => {
    expect(spans[2]).toMatchObject({
      kind: 'unspecified',
      statusCode: 0,
      serviceName: 'unknown_service',
      startTimeUnixNano: BigInt('1715678468000000000'),
      durationNano: BigInt(1000),
      attributes: {},
      resourceAttributes: {},
      scope: undefined,
      events: [{ timeUnixNano: BigInt('1715678469500000000'), name: 'warm-up', attributes: {} }],
    });
  });

  it('reads kind and status words in any case and upper-case ids', () => {
    const document = { ...clone(spanDocuments[0]), kind: 'SPAN_KIND_CONSUMER', status: { code: 'ERROR', message: '' }, traceId: TRACE.toUpperCase(), spanId: 'EEE19B7EC3C1B174' };
    const [span] = ss4oSchema.readHits([stored(document, 'u')]).spans;
    expect([span.kind, span.statusCode, span.traceId, span.spanId]).toEqual(['consumer', 2, TRACE, 'eee19b7ec3c1b174']);
    expect(ss4oSchema.readHits([stored({ ...document, kind: 'producer', status: { code: 'ok' } }, 'l')]).spans.map((s) => [s.kind, s.statusCode])).toEqual([['producer', 1]]);
  });

  it('skips documents it cannot read with one warning naming them, and warns about an end before the start', () => {
    const { spanId: _spanId, ...noSpanId } = clone(spanDocuments[0]);
    const badStart = { ...clone(spanDocuments[0]), startTime: '14/05/2024 09:21' };
    const endFirst = { ...clone(spanDocuments[0]), endTime: '1970-01-01T00:00:00Z' };
    const { spans: read, warnings: problems } = ss4oSchema.readHits([stored(noSpanId, 'bad-1'), stored(badStart, 'bad-2'), stored(endFirst, 'ok')]);
    expect(problems).toEqual([`2 documents were skipped because they could not be read as spans (document ${INDEX}/bad-1 has no valid trace and span id; document ${INDEX}/bad-2 has no readable startTime)`]);
    expect(read.map((span) => [span.source.id, span.durationNano, span.source.warnings])).toEqual([['ok', BigInt(0), ['the document has no endTime at or after its startTime; duration shown as 0']]]);
  });
});

describe('writing spans as the exporter does', () => {
  it('gives back the exporter documents from the spans read out of them', () => {
    const { spans } = ss4oSchema.readHits(spanDocuments.slice(0, 2).map((document, i) => stored(document, `s${i}`)));
    expect(spans.map((span) => spanToSs4oDocument(span, INDEX))).toEqual(spanDocuments.slice(0, 2));
  });

  it('formats times as Go does: nine digits at most, trailing zeros and a bare dot dropped', () => {
    expect([formatGoTime(BigInt('1715678467123456789')), formatGoTime(BigInt('1715678467120000000')), formatGoTime(BigInt('1715678467000000000'))]).toEqual(['2024-05-14T09:21:07.123456789Z', '2024-05-14T09:21:07.12Z', '2024-05-14T09:21:07Z']);
  });

  it('takes dataset and namespace from an ss4o index name, the defaults otherwise', () => {
    const written = (index: string) => ss4oSchema.writeSpans([referenceSpan], index)[0];
    expect(written('ss4o_traces-shop-prod')).toMatchObject({ index: 'ss4o_traces-shop-prod', document: { attributes: { data_stream: { dataset: 'shop', namespace: 'prod', type: 'span' } } } });
    expect(written('my-spans').document.attributes).toMatchObject({ data_stream: { dataset: 'default', namespace: 'namespace', type: 'span' } });
  });

  it('reads back what it writes, with resource values as text', () => {
    const span: LogicalSpan = {
      ...referenceSpan,
      resourceAttributes: { 'service.name': 'checkout', 'host.cpu.count': 4, 'process.runtime.flags': ['-Xmx1g', '-server'], 'cloud.meta': { zone: 'b', region: 'eu' }, 'feature.on': true },
      resourceSchemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
      scope: { name: 'lib', version: '1.2', attributes: { 'lib.mode': 'fast' }, schemaUrl: 'https://opentelemetry.io/schemas/1.21.0' },
      traceState: 'rojo=1',
      links: [{ traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: '00000000000000a1', traceState: 'x=1', attributes: { n: 1 }, droppedAttributesCount: 2 }],
      events: [{ ...referenceSpan.events[0], droppedAttributesCount: 4 }],
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
    };
    const written = ss4oSchema.writeSpans([span], INDEX);
    const { spans, warnings } = ss4oSchema.readHits(written.map((doc) => stored(doc.document, 'w')));
    expect(warnings).toEqual([]);
    expect(spans).toEqual([
      {
        ...span,
        resourceAttributes: { 'service.name': 'checkout', 'host.cpu.count': '4', 'process.runtime.flags': '["-Xmx1g","-server"]', 'cloud.meta': '{"region":"eu","zone":"b"}', 'feature.on': 'true' },
        resourceSchemaUrl: undefined,
        source: { schema: 'ss4o', index: INDEX, id: 'w', warnings: [] },
      },
    ]);
  });
});

/**
 * exporter-written.json holds what the collector contrib opensearchexporter v0.115.0 itself wrote
 * into OpenSearch 2.19.1 when sent exporter-request.json over OTLP/HTTP (dataset `witness`,
 * namespace `a1probe`): read back, it must give the request's spans and logs up to what the
 * exporter keeps no trace of.
 */
describe('reading what the exporter itself wrote', () => {
  /** The exporter's clock, which it writes where the source had no time. */
  const exporterClock = (iso: string, nanos: number) => BigInt(Date.parse(iso)) * BigInt(1_000_000) + BigInt(nanos);

  it('gives the spans of the request, with resource values as text and a timeless event at the exporter clock', () => {
    const source = spansFromOtlp(exporterRequest.traces as OtlpTraceRequest);
    const { spans, warnings } = ss4oSchema.readHits(exporterWritten.spans.map((document, i) => hit(document, `w${i}`, 'ss4o_traces-witness-a1probe')));
    expect(warnings).toEqual([]);
    const resourceText = { 'service.name': 'checkout', 'host.cpu.count': '4', 'cloud.meta': '{"region":"eu","zone":"b"}', flags: '["-Xmx1g",2]', ratio: '0.5' };
    const [root, child] = source;
    expect(spans).toEqual([
      {
        ...root,
        resourceAttributes: resourceText,
        resourceSchemaUrl: undefined,
        events: [root.events[0], { ...root.events[1], timeUnixNano: exporterClock('2026-12-02T00:55:44Z', 270_072_452) }],
        source: { schema: 'ss4o', index: 'ss4o_traces-witness-a1probe', id: 'w0', warnings: [] },
      },
      { ...child, resourceAttributes: resourceText, resourceSchemaUrl: undefined, source: { schema: 'ss4o', index: 'ss4o_traces-witness-a1probe', id: 'w1', warnings: [] } },
    ]);
  });

  it('gives the log records of the request, observed at the exporter clock, a structured body as JSON text', () => {
    const [inSpan, outside] = logRecordsFromOtlp(exporterRequest.logs as OtlpLogsRequest);
    const read = exporterWritten.logs.map((document, i) => ss4oLogSchema.readHit(hit(document, `l${i}`, 'ss4o_logs-witness-a1probe')));
    // The scope logs' schema URL, which logRecordsFromOtlp leaves aside, is the exporter's scope schemaUrl.
    const scope = { ...inSpan.scope, schemaUrl: exporterRequest.logs.resourceLogs[0].scopeLogs[0].schemaUrl };
    expect(read).toEqual([
      { ...inSpan, scope, observedTimeUnixNano: exporterClock('2026-12-02T00:55:44Z', 802_229_448) },
      { ...outside, scope, timeUnixNano: exporterClock('2026-12-02T00:55:44Z', 802_457_718), observedTimeUnixNano: exporterClock('2026-12-02T00:55:44Z', 802_457_718), body: '{"a":"x","b":1}' },
    ]);
  });

  it('writes the documents the exporter wrote, but for its clock and its data stream names', () => {
    const { spans } = ss4oSchema.readHits(exporterWritten.spans.map((document, i) => hit(document, `w${i}`)));
    const written = spans.map((span) => spanToSs4oDocument(span, 'ss4o_traces-witness-a1probe'));
    // The timeless event: the exporter writes its clock as observedTimestamp, the writer the read time as @timestamp.
    const expected = clone(exporterWritten.spans);
    const timeless = expected[0].events![1] as Record<string, unknown>;
    timeless['@timestamp'] = timeless.observedTimestamp;
    delete timeless.observedTimestamp;
    expect(written).toEqual(expected);
  });
});

describe('detecting ss4o indices', () => {
  it('detects the dynamically mapped span index as ss4o and leaves its logs index to the logs detection', () => {
    const resolution = resolveSchemas('ss4o_*', { [INDEX]: spanMapping, 'ss4o_logs-default-namespace': logMapping });
    expect(resolution.groups.map((group) => [group.schema.name, group.indices])).toEqual([['ss4o', [INDEX]]]);
    expect(resolution.unknown.map((entry) => entry.index)).toEqual(['ss4o_logs-default-namespace']);
    const logs = resolveLogSchemas('ss4o_*', { [INDEX]: spanMapping, 'ss4o_logs-default-namespace': logMapping });
    expect(logs.groups.map((group) => [group.schema.name, group.indices])).toEqual([['ss4o', ['ss4o_logs-default-namespace']]]);
  });

  it("leaves Data Prepper's indices to data-prepper: its template, and the standard shape with durationInNanos", () => {
    const standard = {
      mappings: {
        properties: {
          traceId: { type: 'keyword' },
          spanId: { type: 'keyword' },
          startTime: { type: 'date_nanos' },
          endTime: { type: 'date_nanos' },
          durationInNanos: { type: 'long' },
          kind: { type: 'keyword' },
          status: { properties: { code: { type: 'integer' } } },
          instrumentationScope: { properties: { name: { type: 'keyword' } } },
          resource: { properties: { attributes: { properties: { 'service.name': { type: 'keyword' } } } } },
        },
      },
    };
    const resolution = resolveSchemas('otel-v1-apm-span*', { 'otel-v1-apm-span-000001': { mappings: DATA_PREPPER_SPAN_MAPPING }, 'otel-v1-apm-span-000002': standard });
    expect(resolution.groups.map((group) => [group.schema.name, group.indices])).toEqual([['data-prepper', ['otel-v1-apm-span-000001', 'otel-v1-apm-span-000002']]]);
  });
});

describe('searching ss4o by duration', () => {
  const group = resolveSchemas('ss4o_*', { [INDEX]: spanMapping }).groups[0];

  it('compares endTime with startTime by script, the bounds as nanosecond parameters', () => {
    const clauses = spanFilterClauses(group, { tags: [], minDurationNs: BigInt(1_500_000), maxDurationNs: BigInt(2_000_000_000) });
    expect(clauses.ok).toBe(true);
    const [script] = clauses.ok ? clauses.filter : [];
    expect(script).toMatchObject({ script: { script: { lang: 'painless', params: { start: 'startTime', end: 'endTime', min: 1_500_000, max: 2_000_000_000 } } } });
  });

  it('says the comparison is to within a millisecond where the dynamic mapping keeps dates in milliseconds', () => {
    const clauses = spanFilterClauses(group, { tags: [], minDurationNs: BigInt(1_500_000) });
    expect(clauses.ok && clauses.warnings).toEqual([`${INDEX}: the ss4o layout stores no duration and its start and end are mapped to the millisecond, so min/max duration were compared to within 1 ms`]);
    expect(spanFilterClauses(group, { tags: [], status: 'error' })).not.toHaveProperty('warnings');
  });

  it("offers span and resource attribute keys, without the exporter's data_stream fields", async () => {
    const searcher = { search: () => Promise.reject(new Error('keys come from the mapping, no search is needed')) };
    const { values } = await findTagKeys(searcher as unknown as TraceSearcher, { resolution: resolveSchemas('ss4o_*', { [INDEX]: spanMapping }) });
    expect(values).toEqual(expect.arrayContaining(['http.request.method', 'http.response.status_code', 'service.name']));
    expect(values.filter((key) => key.startsWith('data_stream'))).toEqual([]);
  });

  it('filters on the stored words of status.code', () => {
    const clauses = spanFilterClauses(group, { tags: [], status: 'error' });
    expect(clauses.ok && clauses.filter).toEqual([{ terms: { 'status.code.keyword': ['Error'] } }]);
  });
});

describe('ss4o logs', () => {
  const { readHit } = ss4oLogSchema;
  const LOGS = 'ss4o_logs-default-namespace';

  it('reads a record inside a span, and one outside any span whose time the exporter left at the epoch', () => {
    expect(readHit(hit(logDocuments[0] as Record<string, unknown>, 'l0', LOGS))).toEqual({
      timeUnixNano: BigInt('1715678467153500000'),
      observedTimeUnixNano: BigInt('1715678467154001000'),
      traceId: TRACE,
      spanId: 'eee19b7ec3c1b174',
      severityText: 'INFO',
      severityNumber: 9,
      body: 'cart loaded from cache',
      attributes: { 'code.function': 'loadCart' },
      resourceAttributes: { 'service.name': 'checkout', 'service.instance.id': 'checkout-7d9f' },
      scope: { name: 'cart-logger', version: '1.0.0', attributes: undefined, schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' },
    });
    expect(readHit(hit(logDocuments[1] as Record<string, unknown>, 'l1', LOGS))).toEqual({
      timeUnixNano: BigInt('1715678520000000001'),
      observedTimeUnixNano: BigInt('1715678520000000001'),
      traceId: undefined,
      spanId: undefined,
      severityText: 'WARN',
      severityNumber: undefined,
      body: 'health probe ok',
      attributes: {},
      resourceAttributes: { 'service.name': 'checkout' },
      scope: undefined,
    });
  });

  it('names a log document without any readable time', () => {
    expect(readHit(hit({ body: 'x', '@timestamp': 'yesterday' }, 'l2', LOGS))).toBe(`log document ${LOGS}/l2 has no readable @timestamp or observedTimestamp`);
  });

  it('gives back the exporter log document from the record read out of it', () => {
    const record = readHit(hit(logDocuments[0] as Record<string, unknown>, 'l0', LOGS));
    expect(typeof record === 'string' ? record : logToSs4oDocument(record, LOGS)).toEqual(logDocuments[0]);
  });
});
