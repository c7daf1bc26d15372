/**
 * Trace files read with no engine: each format told from its shape, the trace asked for (else the
 * first) shown with a notice naming the others, files that are no trace refused with what was
 * expected, and spans that cannot be read left out with a warning naming where they are.
 */
import type { TraceSpanRow } from '@grafana/data';

import { spanToFrameRow } from '../../../src/frames/traceRows';
import { type OtlpTraceRequest, spansFromOtlp } from '../../../src/proto/otlp';
import { assembleTrace } from '../../../src/proto/trace';
import { readTraceFile } from '../../../src/proto/traceFile';
import { importTrace } from '../../../src/query/importTrace';
import { QueryError } from '../../../src/query/resolve';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTHER = '0af7651916cd43dd8448eb211c80319c';
const ROOT = '00f067aa0ba902b7';
const CHILD = '5f2c1a9e7b3d4c61';
const START_US = 1715678467123456;
const ns = (us: number) => String(BigInt(us) * BigInt(1000));

/** One trace as an SDK's OTLP exporter sends it: a server root in `checkout` and a client child in `cart`. */
function otlpRequest(traceId = TRACE): OtlpTraceRequest {
  const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'host.name', value: { stringValue: `${service}-1` } }] });
  return {
    resourceSpans: [
      {
        resource: resource('checkout'),
        scopeSpans: [
          {
            scope: { name: 'shop.checkout', version: '1.0.0' },
            spans: [
              {
                traceId,
                spanId: ROOT,
                name: 'POST /cart',
                kind: 2,
                startTimeUnixNano: ns(START_US),
                endTimeUnixNano: ns(START_US + 5_000),
                attributes: [{ key: 'http.route', value: { stringValue: '/cart' } }],
                events: [{ timeUnixNano: ns(START_US + 1_000), name: 'cart.loaded', attributes: [{ key: 'items', value: { intValue: '3' } }] }],
                status: { code: 2, message: 'upstream failed' },
              },
            ],
          },
        ],
      },
      {
        resource: resource('cart'),
        scopeSpans: [{ scope: { name: 'shop.cart' }, spans: [{ traceId, spanId: CHILD, parentSpanId: ROOT, name: 'GET cart', kind: 3, startTimeUnixNano: ns(START_US + 2_000), endTimeUnixNano: ns(START_US + 4_000) }] }],
      },
    ],
  };
}

/** The same trace as Jaeger query's /api/traces/ID gives it: processes listed once, named by processID. */
function jaegerAnswer(traceId = TRACE) {
  const tag = (key: string, type: string, value: unknown) => ({ key, type, value });
  return {
    data: [
      {
        traceID: traceId,
        spans: [
          {
            traceID: traceId,
            spanID: ROOT,
            flags: 1,
            operationName: 'POST /cart',
            references: [],
            startTime: START_US,
            duration: 5_000,
            tags: [tag('http.route', 'string', '/cart'), tag('otel.scope.name', 'string', 'shop.checkout'), tag('otel.scope.version', 'string', '1.0.0'), tag('span.kind', 'string', 'server'), tag('error', 'bool', true), tag('otel.status_description', 'string', 'upstream failed')],
            logs: [{ timestamp: START_US + 1_000, fields: [tag('event', 'string', 'cart.loaded'), tag('items', 'int64', 3)] }],
            processID: 'p1',
            warnings: null as string[] | null,
          },
          {
            traceID: traceId,
            spanID: CHILD,
            flags: 1,
            operationName: 'GET cart',
            references: [{ refType: 'CHILD_OF', traceID: traceId, spanID: ROOT }],
            startTime: START_US + 2_000,
            duration: 2_000,
            tags: [tag('otel.scope.name', 'string', 'shop.cart'), tag('span.kind', 'string', 'client')],
            logs: [],
            processID: 'p2',
            warnings: null as string[] | null,
          },
        ],
        processes: { p1: { serviceName: 'checkout', tags: [tag('host.name', 'string', 'checkout-1')] }, p2: { serviceName: 'cart', tags: [tag('host.name', 'string', 'cart-1')] } },
        warnings: null as string[] | null,
      },
    ],
    total: 0,
    limit: 0,
    offset: 0,
    errors: null,
  };
}

/** The same trace as Zipkin's /api/v2/trace/ID gives it (names lower-cased by Zipkin's model). */
function zipkinAnswer(traceId = TRACE) {
  return [
    { traceId, id: ROOT, kind: 'SERVER', name: 'post /cart', timestamp: START_US, duration: 5_000, localEndpoint: { serviceName: 'checkout' }, annotations: [{ timestamp: START_US + 1_000, value: 'cart.loaded' }], tags: { 'http.route': '/cart', 'otel.scope.name': 'shop.checkout', 'otel.scope.version': '1.0.0', error: 'upstream failed' } },
    { traceId, parentId: ROOT, id: CHILD, kind: 'CLIENT', name: 'get cart', timestamp: START_US + 2_000, duration: 2_000, localEndpoint: { serviceName: 'cart' }, tags: { 'otel.scope.name': 'shop.cart' } },
  ];
}

const json = (value: unknown) => JSON.stringify(value);
const shape = (rows: TraceSpanRow[]) => rows.map((row) => [row.spanID, row.parentSpanID, row.serviceName, row.operationName.toLowerCase(), row.startTime, row.duration, row.kind, row.statusCode, row.statusMessage, row.instrumentationLibraryName, row.logs?.map((log) => log.name)]);
const formatOf = (text: string) => {
  const read = readTraceFile(text);
  return 'problem' in read ? read.problem : read.format;
};
const problemOf = (text: string, traceId?: string) => {
  try {
    importTrace(text, traceId);
  } catch (error) {
    expect(error).toBeInstanceOf(QueryError);
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('each format is told from its shape', () => {
  it('reads an OTLP/JSON export request as the OTLP reader does', () => {
    const result = importTrace(json(otlpRequest()));
    expect(formatOf(json(otlpRequest()))).toBe('otlp');
    expect(result).toMatchObject({ traceId: TRACE, found: true, notices: [], truncated: false });
    expect(result.rows).toEqual(assembleTrace(spansFromOtlp(otlpRequest())).spans.map(spanToFrameRow));
    expect(result.facts).toMatchObject({ spanCount: 2, rootSpanId: ROOT, rootServiceName: 'checkout', depth: 2, errorCount: 1, services: ['cart', 'checkout'] });
  });

  it("reads Jaeger's api/v3 answer, which wraps the request in result, as the request itself", () => {
    const wrapped = json({ result: otlpRequest() });
    expect(formatOf(wrapped)).toBe('otlp');
    expect(importTrace(wrapped)).toEqual(importTrace(json(otlpRequest())));
  });

  it("reads JSON Lines of requests, as the Collector's file exporter writes them, as one file", () => {
    const lines = `${json(otlpRequest())}\n${json({ result: otlpRequest(OTHER) })}\n`;
    expect(formatOf(lines)).toBe('otlp');
    expect(importTrace(lines, OTHER).rows).toEqual(importTrace(json(otlpRequest(OTHER))).rows);
  });

  it('reads Jaeger query JSON with each span given its process: service, resource tags, parent, kind, status, scope, logs', () => {
    expect(formatOf(json(jaegerAnswer()))).toBe('jaeger');
    const result = importTrace(json(jaegerAnswer()));
    expect(result.notices).toEqual([]);
    expect(result.rows.map((row) => ({ spanID: row.spanID, serviceTags: row.serviceTags, tags: row.tags, logs: row.logs }))).toEqual([
      {
        spanID: ROOT,
        serviceTags: [
          { key: 'service.name', value: 'checkout', type: 'string' },
          { key: 'host.name', value: 'checkout-1', type: 'string' },
        ],
        tags: [{ key: 'http.route', value: '/cart', type: 'string' }],
        logs: [{ timestamp: (START_US + 1_000) / 1000, name: 'cart.loaded', fields: [{ key: 'items', value: 3, type: 'int64' }] }],
      },
      { spanID: CHILD, serviceTags: [{ key: 'service.name', value: 'cart', type: 'string' }, { key: 'host.name', value: 'cart-1', type: 'string' }], tags: [], logs: [] },
    ]);
  });

  it('reads a bare Jaeger trace object ({traceID, spans, processes}) as its {data: [...]} answer', () => {
    const trace = jaegerAnswer().data[0];
    expect(importTrace(json(trace))).toEqual(importTrace(json(jaegerAnswer())));
  });

  it("reads Zipkin v2 JSON, a list of spans, and Zipkin's list of traces", () => {
    expect(formatOf(json(zipkinAnswer()))).toBe('zipkin');
    expect(formatOf(json([zipkinAnswer(), zipkinAnswer(OTHER)]))).toBe('zipkin');
    expect(importTrace(json([zipkinAnswer(OTHER), zipkinAnswer()]), TRACE).rows).toEqual(importTrace(json(zipkinAnswer())).rows);
  });

  it('gives one trace the same spans, parents, services, names, times, kinds, status, scope and events in all three formats', () => {
    const expected = shape(importTrace(json(otlpRequest())).rows);
    expect(shape(importTrace(json(jaegerAnswer())).rows)).toEqual(expected);
    expect(shape(importTrace(json(zipkinAnswer())).rows)).toEqual(expected);
  });

  it("shows Zipkin's shared span (Brave) as the engine read does: the server half under the client, its children under it", () => {
    const client = { traceId: TRACE, parentId: ROOT, id: CHILD, kind: 'CLIENT', name: 'get /users', timestamp: START_US + 10, duration: 100, localEndpoint: { serviceName: 'web' } };
    const server = { ...client, kind: 'SERVER', shared: true, timestamp: START_US + 20, duration: 50, localEndpoint: { serviceName: 'users' } };
    const query = { traceId: TRACE, parentId: CHILD, id: '00000000000000d1', name: 'select', timestamp: START_US + 30, duration: 10, localEndpoint: { serviceName: 'users' } };
    const root = { traceId: TRACE, id: ROOT, name: 'home', timestamp: START_US, duration: 500, localEndpoint: { serviceName: 'web' } };
    // The child is listed before the server half whose id it adopts: the file's order does not matter.
    const rows = importTrace(json([query, root, server, client])).rows;
    expect(rows.map((row) => [row.spanID, row.parentSpanID, row.serviceName])).toEqual([
      [ROOT, undefined, 'web'],
      [CHILD, ROOT, 'web'],
      [`${CHILD}-server`, CHILD, 'users'],
      ['00000000000000d1', `${CHILD}-server`, 'users'],
    ]);
  });
});

describe('a file holding several traces', () => {
  const three = json({ resourceSpans: [...otlpRequest(TRACE).resourceSpans, ...otlpRequest(OTHER).resourceSpans, ...otlpRequest('1'.repeat(32)).resourceSpans] });

  it('shows the first trace, with a notice naming how many the file holds and the ids of the others', () => {
    const result = importTrace(three);
    expect(result.traceId).toBe(TRACE);
    expect(result.rows.map((row) => row.traceID)).toEqual([TRACE, TRACE]);
    expect(result.notices).toEqual([{ severity: 'info', text: `the file holds 3 traces; showing ${TRACE} (the first). The others: ${OTHER}, ${'1'.repeat(32)} (give a trace id to show one of them)` }]);
  });

  it('shows the trace the query names, in any case, and names the others', () => {
    const result = importTrace(three, ` ${OTHER.toUpperCase()} `);
    expect(result.traceId).toBe(OTHER);
    expect(result.rows.map((row) => row.traceID)).toEqual([OTHER, OTHER]);
    expect(result.notices).toEqual([{ severity: 'info', text: `the file holds 3 traces; showing ${OTHER}. The others: ${TRACE}, ${'1'.repeat(32)} (give a trace id to show one of them)` }]);
  });

  it('finds a trace stored without leading zeros by its 32-digit id, as an engine lookup does', () => {
    const short = 'a3ce929d0e0e4736';
    const result = importTrace(json(jaegerAnswer(short)), short.padStart(32, '0'));
    expect(result).toMatchObject({ traceId: short, found: true });
  });

  it('names the first five others and counts the rest', () => {
    const ids = Array.from({ length: 8 }, (_, i) => `${i + 1}`.repeat(32));
    const result = importTrace(json(ids.flatMap((id) => zipkinAnswer(id))));
    expect(result.notices[0].text).toBe(`the file holds 8 traces; showing ${ids[0]} (the first). The others: ${ids.slice(1, 6).join(', ')} and 2 more (give a trace id to show one of them)`);
  });

  it('says a trace the file does not hold is not found, naming the ones it holds, with no rows', () => {
    const result = importTrace(json(otlpRequest()), OTHER);
    expect(result).toMatchObject({ traceId: OTHER, found: false, rows: [], truncated: false });
    expect(result.facts.spanCount).toBe(0);
    expect(result.notices).toEqual([{ severity: 'info', text: `trace ${OTHER} is not in the file, which holds trace ${TRACE}` }]);
  });
});

describe('files that are no trace are refused with what was expected', () => {
  const EXPECTED = 'expected OTLP/JSON ({"resourceSpans": [...]}, or Jaeger\'s api/v3 answer {"result": {"resourceSpans": [...]}}), Jaeger JSON as its query API and "Download JSON" give it ({"data": [{"traceID": ..., "spans": [...], "processes": {...}}]}) or Zipkin v2 JSON (a list of spans, or a list of such lists)';

  it('names an object of another shape by its keys', () => {
    expect(problemOf(json({ traces: [], total: 0 }))).toBe(`the file is not a trace file: ${EXPECTED}; it holds an object with the keys traces, total`);
    expect(problemOf('"a trace"')).toBe(`the file is not a trace file: ${EXPECTED}; it holds a string`);
  });

  it('says the file is not JSON, with the parser message', () => {
    expect(problemOf('{"resourceSpans": [')).toMatch(/^the file is not JSON \(.+\); expected OTLP\/JSON/);
  });

  it('says an empty file is empty', () => {
    expect(problemOf(' \n')).toBe('the file is empty');
  });

  it("passes on the message of a saved error answer of Jaeger's query API", () => {
    expect(problemOf(json({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] }))).toBe('the file is an error answer, not a trace: trace not found');
    expect(problemOf(json({ error: { httpCode: 404, message: 'trace not found' } }))).toBe('the file is an error answer, not a trace: trace not found');
  });

  it('refuses a list that holds no Zipkin span', () => {
    expect(problemOf('[]')).toBe(`the file holds a list of 0 items but no Zipkin span (an object with traceId and id): ${EXPECTED}`);
    expect(problemOf(json([{ id: 1 }, 2]))).toBe(`the file holds a list of 2 items but no Zipkin span (an object with traceId and id): ${EXPECTED}`);
  });

  it('refuses a file whose spans all fail to read, saying why', () => {
    expect(problemOf(json({ resourceSpans: [] }))).toBe('the file holds no span that could be read');
    expect(problemOf(json([{ traceId: 'not hex', id: ROOT, timestamp: START_US }]))).toBe('the file holds no span that could be read: 1 document was skipped because they could not be read as spans (document file/[0] has no valid trace and span id)');
  });

  it('refuses a malformed trace id before reading the file', () => {
    expect(problemOf(json(otlpRequest()), 'not-a-trace')).toBe("'not-a-trace' is not a trace id: use hexadecimal digits 0-9 and a-f only.");
  });
});

describe('spans that cannot be read are left out, with a warning naming where they are', () => {
  it('names an OTLP span by its place in the request and says what is wrong with it', () => {
    const request = otlpRequest();
    const spans = request.resourceSpans[1].scopeSpans![0].spans!;
    spans.push({ ...spans[0], spanId: '' }, { ...spans[0], spanId: '00000000000000e1', endTimeUnixNano: '12' });
    const result = importTrace(json(request));
    expect(result.rows.map((row) => row.spanID)).toEqual([ROOT, CHILD]);
    expect(result.notices).toEqual([
      { severity: 'warning', text: `2 entries of the file could not be read as spans and were skipped (resourceSpans[1].scopeSpans[0].spans[1]: spanId is missing; resourceSpans[1].scopeSpans[0].spans[2]: endTimeUnixNano 12 is before startTimeUnixNano ${ns(START_US + 2_000)})` },
    ]);
  });

  it('names OTLP groups that are not objects or lists', () => {
    const request = { resourceSpans: [...otlpRequest().resourceSpans, 'cart', { scopeSpans: { spans: [] } }] };
    expect(importTrace(json(request)).notices).toEqual([{ severity: 'warning', text: '2 entries of the file could not be read as spans and were skipped (resourceSpans[2] is not an object; resourceSpans[3].scopeSpans is not a list)' }]);
  });

  it('names a Jaeger span by its place in the answer', () => {
    const answer = jaegerAnswer();
    answer.data[0].spans.push({ ...answer.data[0].spans[1], spanID: 'zz' });
    const result = importTrace(json(answer));
    expect(result.rows).toHaveLength(2);
    expect(result.notices).toEqual([{ severity: 'warning', text: '1 document was skipped because they could not be read as spans (document file/data[0].spans[2] has no valid trace and span id)' }]);
  });

  it('says when a Jaeger span names no process of its trace, and shows it under the unknown service', () => {
    const answer = jaegerAnswer();
    answer.data[0].spans[1].processID = 'p9';
    const child = importTrace(json(answer)).rows[1];
    expect(child.serviceName).toBe('unknown_service');
    expect(child.warnings).toEqual(['its processID "p9" names no process of data[0].processes, so its service is unknown']);
  });

  it("keeps what Jaeger's query says of a trace and of a span", () => {
    const answer = jaegerAnswer();
    answer.data[0].warnings = ['trace has 1 orphan span'];
    answer.data[0].spans[1].warnings = ['clock skew adjustment disabled; not applying calculated delta of 1ms'];
    const result = importTrace(json(answer));
    expect(result.notices).toEqual([{ severity: 'warning', text: 'Jaeger: trace has 1 orphan span' }]);
    expect(result.rows[1].warnings).toEqual(['Jaeger: clock skew adjustment disabled; not applying calculated delta of 1ms']);
  });

  it("shows what Jaeger's api/v3 answer says of a span (its @jaeger@warnings attribute) as the span's warnings, not as an attribute", () => {
    const request = otlpRequest();
    const child = request.resourceSpans[1].scopeSpans![0].spans![0];
    child.attributes = [{ key: '@jaeger@warnings', value: { arrayValue: { values: [{ stringValue: 'clock skew adjustment disabled; not applying calculated delta of 1ms' }] } } }];
    const result = importTrace(json({ result: request }));
    const row = result.rows.find((candidate) => candidate.spanID === CHILD)!;
    expect(row.warnings).toEqual(['Jaeger: clock skew adjustment disabled; not applying calculated delta of 1ms']);
    expect(row.tags).toEqual(importTrace(json(otlpRequest())).rows.find((candidate) => candidate.spanID === CHILD)!.tags);
  });

  it('names a Zipkin span by its place in the list', () => {
    const result = importTrace(json([[...zipkinAnswer(), { traceId: TRACE, id: '00000000000000f1', name: 'late' }]]));
    expect(result.rows).toHaveLength(2);
    expect(result.notices).toEqual([{ severity: 'warning', text: '1 document was skipped because they could not be read as spans (document file/[0][2] has no readable timestamp)' }]);
  });
});
