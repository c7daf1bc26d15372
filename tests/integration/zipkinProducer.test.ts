/**
 * Zipkin as Zipkin writes it: the real Zipkin server (3.6.1) stores, in each test engine, the SDK's
 * spans as OpenTelemetry's own Zipkin exporter converts them, and Zipkin-native shapes posted as
 * raw v2 JSON (a Brave-style shared client/server span, endpoints, annotations, mixed-case names).
 * `estraces` must read what the source had, up to what the zipkin schema and the exporter cannot
 * carry, and its searches must find what Zipkin's own API finds.
 */
import type { HrTime } from '@opentelemetry/api';
import { ExportResultCode, hrTimeDuration } from '@opentelemetry/core';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TraceSpanRow } from '@grafana/data';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateDemoSpans, generateLargeTraceSpans } from '../../src/cli/sdkData';
import { spanToFrameRow } from '../../src/frames/traceRows';
import type { LogicalSpan } from '../../src/proto/model';
import { type OtlpTraceRequest, spansFromOtlp } from '../../src/proto/otlp';
import { assembleTrace } from '../../src/proto/trace';
import { itWhere, searchNeeds, testEngines } from './engines';
import { canonicalRows, cliSearch, cliTrace, firstDifferingRows, runCli, uniqueIndex } from './helpers';
import { javaAvailable, waitFor } from '../../src/cli/producerProcess';
import { type RunningZipkin, startZipkin } from './producers/zipkin';
import { LOSSES } from './schemaLosses';

const US_PER_MS = 1000;
const LARGE_TRACE_SPANS = 12_000;
/** Zipkin's `/api/v2/trace/{id}` answers at most this many spans (its storage's result window). */
const ZIPKIN_TRACE_CAP = 10_000;

/** Zipkin server reads `timestamp` with Gson's nextLong: a fractional microsecond is refused (HTTP 400). */
const floorMicros = ([seconds, nanos]: HrTime): HrTime => [seconds, nanos - (nanos % 1000)];

/** The span with every time on a whole microsecond, so the exporter's numbers are integers. */
function onWholeMicroseconds(span: ReadableSpan): ReadableSpan {
  const startTime = floorMicros(span.startTime);
  const endTime = floorMicros(span.endTime);
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime,
    endTime,
    duration: hrTimeDuration(startTime, endTime),
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events.map((event) => ({ ...event, time: floorMicros(event.time) })),
    ended: true,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

const demo = generateDemoSpans({ traces: 6, seed: 41 });
const large = generateLargeTraceSpans(LARGE_TRACE_SPANS, { seed: 42 });
const demoSpans = demo.spans.map(onWholeMicroseconds);
const largeSpans = large.spans.map(onWholeMicroseconds);

function asLogical(spans: ReadableSpan[]): LogicalSpan[] {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  return spansFromOtlp(JSON.parse(Buffer.from(bytes!).toString('utf8')) as OtlpTraceRequest);
}
const source = asLogical([...demoSpans, ...largeSpans]);

/**
 * What OpenTelemetry's JS Zipkin exporter itself changes (node_modules/@opentelemetry/exporter-zipkin
 * build/src/transform.js, `toZipkinSpan` and `_toZipkinTags`), each as a named projection.
 */
const EXPORTER: Record<string, (span: LogicalSpan) => LogicalSpan> = {
  // `tags[key] = String(attributes[key])`: arrays join with commas, not as JSON.
  'attribute values become String(value)': (span) => ({ ...span, attributes: Object.fromEntries(Object.entries(span.attributes).map(([key, value]) => [key, String(value)])) }),
  // `Object.keys(resource.attributes).forEach(name => (tags[name] = String(...)))`, after the span's own.
  'resource attributes become span tags, overriding span attributes of the same name': (span) => ({ ...span, attributes: { ...span.attributes, ...Object.fromEntries(Object.entries(span.resourceAttributes).map(([key, value]) => [key, String(value)])) } }),
  // No tag names the instrumentation scope.
  'the scope is not exported': (span) => ({ ...span, scope: undefined }),
  // `error` carries the message only for ERROR; no `otel.status_description` is written.
  'the status message only for errors': (span) => ({ ...span, statusMessage: span.statusCode === 2 && span.statusMessage ? span.statusMessage : undefined }),
};


function rowsOf(spans: LogicalSpan[]): TraceSpanRow[] {
  return canonicalRows(assembleTrace(spans.map((span) => ({ ...span, source: { ...span.source, warnings: [...span.source.warnings] } }))).spans.map(spanToFrameRow));
}

function expectedSdkRows(traceId: string): TraceSpanRow[] {
  const exported = (span: LogicalSpan) => Object.values(EXPORTER).reduce((projected, project) => project(projected), span);
  return rowsOf(source.filter((span) => span.traceId === traceId).map((span) => LOSSES.zipkin.project(exported({ ...span, source: { ...span.source, warnings: [] } }))));
}

// ---- Zipkin-native spans, as Brave writes them -------------------------------------------------

const NATIVE_TRACE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const MIXED_TRACE = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const nowUs = Math.floor(Date.now() / 1000) * 1_000_000;
const ids = { root: '1000000000000001', shared: '1000000000000002', child: '1000000000000003', mixed: '2000000000000001' };

const nativeSpans = [
  {
    traceId: NATIVE_TRACE,
    id: ids.root,
    kind: 'SERVER',
    name: 'Home Page',
    timestamp: nowUs,
    duration: 80_000,
    localEndpoint: { serviceName: 'Web-Frontend', ipv4: '192.168.1.10', port: 8080 },
    remoteEndpoint: { ipv6: '2001:db8::77', port: 51234 },
    annotations: [{ timestamp: nowUs + 1_000, value: 'wire.recv' }],
    tags: { 'http.path': '/Home' },
  },
  {
    traceId: NATIVE_TRACE,
    parentId: ids.root,
    id: ids.shared,
    kind: 'CLIENT',
    name: 'GET /users/{id}',
    timestamp: nowUs + 5_000,
    duration: 60_000,
    localEndpoint: { serviceName: 'Web-Frontend', ipv4: '192.168.1.10' },
    remoteEndpoint: { serviceName: 'Users-API', ipv4: '10.1.2.3', port: 9000 },
    annotations: [{ timestamp: nowUs + 5_100, value: 'ws' }],
  },
  {
    traceId: NATIVE_TRACE,
    parentId: ids.root,
    id: ids.shared,
    kind: 'SERVER',
    shared: true,
    name: 'GET /users/{id}',
    timestamp: nowUs + 6_000,
    duration: 50_000,
    localEndpoint: { serviceName: 'Users-API', ipv6: '2001:db8::5', port: 9000 },
    remoteEndpoint: { ipv4: '192.168.1.10' },
    tags: { 'http.route': '/users/{id}' },
  },
  {
    traceId: NATIVE_TRACE,
    parentId: ids.shared,
    id: ids.child,
    kind: 'CLIENT',
    name: 'SELECT users',
    timestamp: nowUs + 10_000,
    duration: 40_000,
    localEndpoint: { serviceName: 'Users-API' },
    remoteEndpoint: { serviceName: 'Postgres', ipv4: '10.1.2.9', port: 5432 },
    tags: { error: 'statement timeout', 'db.statement': 'SELECT * FROM users WHERE id = ?' },
  },
  { traceId: MIXED_TRACE, id: ids.mixed, name: 'Nightly-Report BUILD', timestamp: nowUs + 20_000, duration: 3_000, localEndpoint: { serviceName: 'Batch-Jobs' } },
];

/** The native trace as estraces must show it, written out by hand from the documents above. */
function expectedNativeRows(): TraceSpanRow[] {
  const span = (fields: Partial<LogicalSpan> & Pick<LogicalSpan, 'spanId' | 'name' | 'serviceName' | 'kind' | 'attributes'>, startUs: number, durationUs: number): LogicalSpan => ({
    traceId: NATIVE_TRACE,
    startTimeUnixNano: BigInt(startUs) * BigInt(1000),
    durationNano: BigInt(durationUs) * BigInt(1000),
    statusCode: 0,
    resourceAttributes: { 'service.name': fields.serviceName },
    events: [],
    links: [],
    source: { schema: 'zipkin', index: '', warnings: [] },
    ...fields,
  });
  return rowsOf([
    span({ spanId: ids.root, name: 'home page', serviceName: 'web-frontend', kind: 'server', events: [{ timeUnixNano: BigInt(nowUs + 1_000) * BigInt(1000), name: 'wire.recv', attributes: {} }], attributes: { 'http.path': '/Home', 'network.peer.address': '2001:db8::77', 'network.peer.port': 51234, 'network.local.address': '192.168.1.10', 'network.local.port': 8080 } }, nowUs, 80_000),
    span(
      {
        spanId: ids.shared,
        parentSpanId: ids.root,
        name: 'get /users/{id}',
        serviceName: 'web-frontend',
        kind: 'client',
        events: [{ timeUnixNano: BigInt(nowUs + 5_100) * BigInt(1000), name: 'ws', attributes: {} }],
        attributes: { 'peer.service': 'users-api', 'network.peer.address': '10.1.2.3', 'network.peer.port': 9000, 'server.address': '10.1.2.3', 'server.port': 9000, 'network.local.address': '192.168.1.10' },
      },
      nowUs + 5_000,
      60_000
    ),
    span(
      {
        spanId: `${ids.shared}-server`,
        parentSpanId: ids.shared,
        name: 'get /users/{id}',
        serviceName: 'users-api',
        kind: 'server',
        attributes: { 'http.route': '/users/{id}', 'network.peer.address': '192.168.1.10', 'network.local.address': '2001:db8::5', 'network.local.port': 9000, 'zipkin.span_id': ids.shared },
        source: { schema: 'zipkin', index: '', warnings: [`shares its span id ${ids.shared} with the client span of this call (a Brave-style shared span); shown under it with its own id`] },
      },
      nowUs + 6_000,
      50_000
    ),
    span(
      {
        spanId: ids.child,
        parentSpanId: `${ids.shared}-server`,
        name: 'select users',
        serviceName: 'users-api',
        kind: 'client',
        statusCode: 2,
        statusMessage: 'statement timeout',
        attributes: { 'db.statement': 'SELECT * FROM users WHERE id = ?', 'peer.service': 'postgres', 'network.peer.address': '10.1.2.9', 'network.peer.port': 5432, 'server.address': '10.1.2.9', 'server.port': 5432 },
      },
      nowUs + 10_000,
      40_000
    ),
  ]);
}

// ---- the run ----------------------------------------------------------------------------------

const whyNoJava = javaAvailable();
if (whyNoJava) {
  process.stdout.write(`zipkinProducer: skipped, Zipkin server needs Java: ${whyNoJava}\n`);
}
const describeWithJava = whyNoJava ? describe.skip : describe;

function exportThrough(exporter: ZipkinExporter, spans: ReadableSpan[]): Promise<{ code: ExportResultCode; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function postRaw(zipkin: RunningZipkin, spans: unknown[]): Promise<void> {
  const response = await fetch(`${zipkin.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spans) });
  expect(response.status).toBe(202);
}

/** An answer of Zipkin's API as the text it sent. */
async function zipkinText(zipkin: RunningZipkin, path: string): Promise<string> {
  const response = await fetch(`${zipkin.url}${path}`, { signal: AbortSignal.timeout(120_000) });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`Zipkin answered ${response.status} to ${path}: ${text}`);
  }
  return text;
}

async function zipkinGet<T>(zipkin: RunningZipkin, path: string): Promise<T> {
  return JSON.parse(await zipkinText(zipkin, path)) as T;
}

describeWithJava.each(testEngines().map((engine) => [engine.label, engine] as const))('Zipkin server 3.6.1 writing into %s', (_label, engine) => {
  const prefix = uniqueIndex('zipkin-prod');
  const pattern = `${prefix}-span-*`;
  const storedDocuments = source.length + nativeSpans.length;
  let zipkin: RunningZipkin;
  const window = { endTs: Date.now() + 3_600_000, lookback: 4 * 3_600_000 };
  const cliWindow = ['--from', String(window.endTs - window.lookback), '--to', String(window.endTs)];

  beforeAll(async () => {
    zipkin = await startZipkin({ engineUrl: engine.url, indexPrefix: prefix, log: (line) => process.stdout.write(`${line}\n`) });
    const exporter = new ZipkinExporter({ url: `${zipkin.url}/api/v2/spans` });
    for (const spans of [demoSpans, ...Array.from({ length: Math.ceil(largeSpans.length / 2000) }, (_, i) => largeSpans.slice(i * 2000, (i + 1) * 2000))]) {
      const result = await exportThrough(exporter, spans);
      expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    }
    await postRaw(zipkin, nativeSpans);
    // Zipkin answers 202 and writes in the background: wait until every document is searchable.
    await waitFor(
      async () => {
        await fetch(`${engine.url}/${pattern}/_refresh`, { method: 'POST' });
        const counted = (await (await fetch(`${engine.url}/${pattern}/_count`)).json()) as { count?: number };
        return counted.count === storedDocuments;
      },
      `${storedDocuments} span documents in ${pattern}`,
      { timeoutMs: 180_000, process: zipkin.process }
    );
  });

  afterAll(async () => {
    await zipkin?.stop();
  });

  it('refuses what the exporter sends for a time below the microsecond (Gson nextLong), which is why the SDK spans are fed on whole microseconds', async () => {
    const exporter = new ZipkinExporter({ url: `${zipkin.url}/api/v2/spans` });
    const fractional = demo.spans.find((span) => span.startTime[1] % 1000 !== 0)!;
    const result = await exportThrough(exporter, [fractional]);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(String(result.error?.message)).toContain('400');
  });

  it('is detected as zipkin', async () => {
    const detected = await runCli(['detect', '--url', engine.url, '--index', pattern]);
    expect(detected.code).toBe(0);
    expect(JSON.parse(detected.stdout).schema).toBe('zipkin');
  });

  it('returns every SDK trace as the source has it, up to what the zipkin schema and the exporter cannot carry', async () => {
    for (const traceId of demo.traceIds) {
      const output = await cliTrace([traceId, '--url', engine.url, '--index', pattern]);
      expect(output.warnings).toEqual([]);
      expect(canonicalRows(output.spans)).toEqual(expectedSdkRows(traceId));
    }
  });

  it(`returns the ${LARGE_TRACE_SPANS}-span trace complete, where Zipkin's own API stops at ${ZIPKIN_TRACE_CAP} or fails`, async () => {
    const traceId = large.traceIds[0];
    // Zipkin's server reads at most 10,000 spans of a trace; on OpenSearch 3 and Elasticsearch 8 it
    // answers 500 instead, its 64 KiB buffer overflowing ("exceeds maxCapacity(65536)").
    const fromZipkin = await fetch(`${zipkin.url}/api/v2/trace/${traceId}`, { signal: AbortSignal.timeout(120_000) });
    const zipkinSaw = fromZipkin.ok ? `${((await fromZipkin.json()) as unknown[]).length} spans` : `HTTP ${fromZipkin.status}: ${/exceeds maxCapacity\(\d+\)/.exec(await fromZipkin.text())?.[0]}`;
    expect([`${ZIPKIN_TRACE_CAP} spans`, 'HTTP 500: exceeds maxCapacity(65536)']).toContain(zipkinSaw);
    const output = await cliTrace([traceId, '--url', engine.url, '--index', pattern]);
    expect(output.spans).toHaveLength(LARGE_TRACE_SPANS);
    expect(output.warnings).toEqual([]);
    expect(firstDifferingRows(output.spans, expectedSdkRows(traceId))).toEqual([]);
  });

  it('shows both halves of a shared span, the endpoints as attributes and the names lower-cased, as Zipkin stored them', async () => {
    const output = await cliTrace([NATIVE_TRACE, '--url', engine.url, '--index', pattern]);
    expect(output.warnings).toEqual([]);
    expect(canonicalRows(output.spans)).toEqual(expectedNativeRows());
  });

  it("imports Zipkin's own JSON of each trace (/api/v2/trace/ID, as its UI's download saves it) as the trace read from the engine, shared span included", async () => {
    const files = mkdtempSync(join(tmpdir(), 'estraces-zipkin-api-'));
    for (const traceId of [...demo.traceIds, NATIVE_TRACE]) {
      const file = join(files, `${traceId}.json`);
      // The answer's bytes as Zipkin wrote them, not parsed and written again by this test.
      writeFileSync(file, await zipkinText(zipkin, `/api/v2/trace/${traceId}`));
      const [imported, stored] = [await cliTrace(['--file', file]), await cliTrace([traceId, '--url', engine.url, '--index', pattern])];
      expect(stored.spans.length).toBeGreaterThan(0);
      expect({ traceID: imported.traceID, warnings: imported.warnings, differing: firstDifferingRows(imported.spans, stored.spans) }).toEqual({ traceID: stored.traceID, warnings: stored.warnings, differing: [] });
    }
  });

  it("draws a Brave-style shared span as one call from the client's service to the server half's, and the server's database call to its peer", async () => {
    // Every span joined (the large trace alone is over the default join size, which would sample the traces).
    const run = await runCli(['servicemap', '--url', engine.url, '--index', pattern, ...cliWindow, '--max-spans', '100000']);
    expect(run.code).toBe(0);
    const map = JSON.parse(run.stdout) as { edges: Array<{ source: string; target: string }> };
    const native = map.edges.filter((edge) => ['web-frontend', 'users-api'].includes(edge.source));
    // Callee side: the server half's 50 ms; the database call (peer.service from the remote endpoint) failed after 40 ms.
    expect(native).toEqual([
      { source: 'users-api', target: 'peer:postgres', calls: 1, errors: 1, p50Ms: 40, p95Ms: 40 },
      { source: 'web-frontend', target: 'users-api', calls: 1, errors: 0, p50Ms: 50, p95Ms: 50 },
    ]);
  });

  describe('search finds the traces Zipkin finds for the same query', () => {
    const cases: Array<{ name: string; ours: string[]; theirs: Record<string, string> }> = [
      { name: 'a service typed in mixed case', ours: ['--service', 'Web-Frontend'], theirs: { serviceName: 'Web-Frontend' } },
      { name: 'a service and an operation typed in mixed case', ours: ['--service', 'Users-API', '--operation', 'GET /users/{id}'], theirs: { serviceName: 'Users-API', spanName: 'GET /users/{id}' } },
      { name: 'a span name with upper-case words', ours: ['--service', 'BATCH-JOBS', '--operation', 'Nightly-Report BUILD'], theirs: { serviceName: 'BATCH-JOBS', spanName: 'Nightly-Report BUILD' } },
      { name: 'an SDK operation in mixed case', ours: ['--service', 'checkout', '--operation', 'PlaceOrder'], theirs: { serviceName: 'checkout', spanName: 'PlaceOrder' } },
      { name: 'a tag', ours: ['--tags', 'app.payment.method=card'], theirs: { annotationQuery: 'app.payment.method=card' } },
      { name: 'a minimum duration', ours: ['--min-duration', '33ms'], theirs: { minDuration: String(33 * US_PER_MS) } },
      { name: 'errors', ours: ['--status', 'error'], theirs: { annotationQuery: 'error' } },
      { name: 'a limit', ours: ['--service', 'frontend', '--limit', '3'], theirs: { serviceName: 'frontend', limit: '3' } },
    ];

    for (const c of cases) {
      itWhere(engine, searchNeeds('zipkin'))(c.name, async () => {
        const params = new URLSearchParams({ limit: '1000', endTs: String(window.endTs), lookback: String(window.lookback), ...c.theirs });
        const theirs = await zipkinGet<Array<Array<{ traceId: string }>>>(zipkin, `/api/v2/traces?${params}`);
        const ours = (await cliSearch(['--url', engine.url, '--index', pattern, '--limit', '1000', ...cliWindow, ...c.ours])).map((trace) => trace.traceID);
        expect(theirs.length).toBeGreaterThan(0);
        expect(new Set(ours)).toEqual(new Set(theirs.map((trace) => trace[0].traceId)));
      });
    }
  });

  it("lists the services of Zipkin's /api/v2/services", async () => {
    const theirs = await zipkinGet<string[]>(zipkin, '/api/v2/services');
    const run = await runCli(['services', '--url', engine.url, '--index', pattern]);
    expect(run.stderr).toBe('');
    expect([...(JSON.parse(run.stdout) as string[])].sort()).toEqual([...theirs].sort());
    expect(theirs).toContain('web-frontend');
  });

  it("lists the operations of a service typed in mixed case as Zipkin's /api/v2/spans does", async () => {
    for (const service of ['Users-API', 'checkout']) {
      const theirs = await zipkinGet<string[]>(zipkin, `/api/v2/spans?serviceName=${encodeURIComponent(service)}`);
      const run = await runCli(['operations', '--url', engine.url, '--index', pattern, '--service', service]);
      expect(run.stderr).toBe('');
      expect(theirs.length).toBeGreaterThan(0);
      expect([...(JSON.parse(run.stdout) as string[])].sort()).toEqual([...theirs].sort());
    }
  });
});
