/**
 * Jaeger v2 as the witness: the OpenTelemetry JS SDK makes the spans, Jaeger's own code (built from
 * the Go module proxy) receives them as OTLP/JSON and writes them into each engine, in three storage
 * variants (daily indices, tags as fields, rollover aliases). `estraces` must then read what the
 * SDK made, up to what the jaeger schema cannot store (LOSSES.jaeger) and what Jaeger v2 itself
 * changes on the way in (JAEGER_V2_LOSSES, each quoted from Jaeger's source), and search, list
 * services and list operations exactly as Jaeger's own query API does over the same documents.
 */
import type { TraceSpanRow } from '@grafana/data';
import { type Link, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

import { generateDemoTraces, generateLargeTrace } from '../../src/cli/sdkData';
import { spanToFrameRow } from '../../src/frames/traceRows';
import type { AttributeValue, Attributes, LogicalSpan } from '../../src/proto/model';
import { type OtlpTraceRequest, spansFromOtlp } from '../../src/proto/otlp';
import { assembleTrace } from '../../src/proto/trace';
import { importTrace } from '../../src/query/importTrace';
import { mapSpansOf, mapTruth } from './serviceMapFixture';
import { isNewestOfKind, isOldestOfKind, itWhere, searchNeeds, type TestEngine, testEngines } from './engines';
import { canonicalRows, cliSearch, cliTrace, firstDifferingRows, runCli, type SearchOutputRow, type TraceOutput, uniqueIndex } from './helpers';
import { buildJaeger, JAEGER_VERSION, jaegerText, type JaegerVariant, type RunningJaeger, startJaeger } from '../../src/cli/jaegerRunner';
import { goAvailable, waitFor } from '../../src/cli/producerProcess';
import { LOSSES } from './schemaLosses';

const DAY_MS = 86_400_000;
// Two days back, so Jaeger's daily indices and its `max_span_age` lookback are both exercised.
const BASE_MS = Math.floor(Date.now() / DAY_MS - 2) * DAY_MS + 10 * 3_600_000;
const MAX_SPAN_AGE_MS = 7 * DAY_MS;
const WINDOW = { fromMs: BASE_MS - 3_600_000, toMs: BASE_MS + 4 * 3_600_000 };
const VARIANTS: JaegerVariant[] = ['default', 'tags-as-fields', 'aliases'];

/**
 * The default storage on every engine; each other variant on one engine of each kind (tags as
 * fields on the older, rollover aliases on the newer, where Jaeger puts composable templates), so
 * every variant meets both of Jaeger's backends and four engines stay within the suite's time.
 */
function variantsFor(engine: TestEngine): JaegerVariant[] {
  return VARIANTS.filter((variant) => variant === 'default' || (variant === 'aliases' ? isNewestOfKind(engine) : isOldestOfKind(engine)));
}

// ---- the source: SDK-made OTLP ---------------------------------------------------------------

const hrTime = (ns: bigint): HrTime => [Number(ns / BigInt(1e9)), Number(ns % BigInt(1e9))];
const MS = BigInt(1_000_000);

/**
 * Three `ledger` traces made with the SDK's own API for what the demo lacks: a span whose second
 * link targets its own parent (its first links to a span of another trace), error spans with
 * messages, an OK span, and array attributes holding characters Go's JSON encoder escapes. Every
 * span of trace i lasts 10^i times as long, so duration filters tell the traces apart.
 */
function ledgerTraces(startMs: number, otherTrace: { traceId: string; spanId: string }): OtlpTraceRequest {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'ledger',
      'service.version': '2.0.1',
      'host.name': 'ledger-host-1',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('shop.ledger', '1.1.0');
  for (let i = 0; i < 3; i++) {
    const scale = BigInt(10 ** i);
    const start = BigInt(startMs + i * 60_000) * MS + BigInt(271_828);
    const kind = i === 1 ? 'adhoc' : 'nightly';
    const root = tracer.startSpan(
      'settle batch',
      {
        kind: SpanKind.SERVER,
        startTime: hrTime(start),
        attributes: { 'app.ledger.batch': i, 'app.ledger.kind': kind },
      },
      ROOT_CONTEXT
    );
    const rootContext = trace.setSpan(ROOT_CONTEXT, root);
    const links: Link[] = [
      {
        context: { traceId: otherTrace.traceId, spanId: otherTrace.spanId, traceFlags: 1 },
        attributes: { 'link.reason': 'replayed order' },
      },
      { context: root.spanContext(), attributes: { 'link.reason': 'the batch that posts' } },
    ];
    const post = tracer.startSpan(
      'post entries',
      {
        kind: SpanKind.INTERNAL,
        startTime: hrTime(start + MS * scale),
        links,
        attributes: { 'app.ledger.notes': ['a<b', 'x & y > z'], 'app.ledger.kind': kind },
      },
      rootContext
    );
    post.addEvent('entries.posted', { 'app.ledger.entries': 40 + i }, hrTime(start + BigInt(2) * MS * scale));
    post.setStatus({ code: SpanStatusCode.OK });
    post.end(hrTime(start + BigInt(3) * MS * scale));
    const journal = tracer.startSpan(
      'write journal',
      {
        kind: SpanKind.CLIENT,
        startTime: hrTime(start + BigInt(3) * MS * scale + BigInt(1_000)),
        attributes: { 'db.system': 'postgresql', 'app.ledger.kind': kind },
      },
      rootContext
    );
    if (i > 0) {
      journal.recordException(new Error(`journal ${i} is full`), hrTime(start + BigInt(4) * MS * scale));
      journal.setStatus({ code: SpanStatusCode.ERROR, message: `journal ${i} is full` });
      root.setStatus({ code: SpanStatusCode.ERROR, message: 'settlement failed' });
    }
    journal.end(hrTime(start + BigInt(4) * MS * scale + BigInt(7_000)));
    root.end(hrTime(start + BigInt(5) * MS * scale));
  }
  const bytes = JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans());
  if (!bytes) {
    throw new Error('the OTLP JSON trace serializer produced nothing');
  }
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as OtlpTraceRequest;
}

const demo = generateDemoTraces({ traces: 12, seed: 31, baseTimeMs: BASE_MS });
const large = generateLargeTrace(3_000, { seed: 32, baseTimeMs: BASE_MS + 3_600_000 });
const demoSpans = spansFromOtlp(demo.request);
const linkTarget = demoSpans.find((span) => span.traceId === demo.traceIds[0] && span.name === 'PlaceOrder')!;
const ledgerRequest = ledgerTraces(BASE_MS + 1_800_000, linkTarget);
const ledgerSpans = spansFromOtlp(ledgerRequest);
const REQUESTS = [demo.request, ledgerRequest, large.request];
const source: LogicalSpan[] = [...demoSpans, ...ledgerSpans, ...spansFromOtlp(large.request)];
const traceIds = [...new Set(source.map((span) => span.traceId))];
const spanCounts = new Map(traceIds.map((id) => [id, source.filter((span) => span.traceId === id).length]));

// ---- what Jaeger v2 changes on the way in, beyond what the jaeger schema cannot store -------------

interface Loss {
  name: string;
  /** Where Jaeger v1.76.0 does it. */
  source: string;
  project(span: LogicalSpan): LogicalSpan;
}

const GO_JSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** JSON text as Go's encoding/json writes it: map keys sorted, HTML characters and line separators escaped. */
function goJson(value: AttributeValue): string {
  if (Array.isArray(value)) {
    return `[${value.map(goJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${goJson(key)}:${goJson(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_JSON_ESCAPES[c]);
}

const goJsonValues = (attributes: Attributes): Attributes =>
  Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [
      key,
      value !== null && typeof value === 'object' ? goJson(value) : value,
    ])
  );

const JAEGER_V2_LOSSES: Loss[] = [
  {
    name: 'array and map attributes become JSON text as Go writes it (keys sorted; <, >, & escaped as \\u003c, \\u003e, \\u0026)',
    source:
      'internal/storage/v2/elasticsearch/tracestore/to_dbmodel.go attributeToDbTag: Map and Slice values are attr.AsString(), which is encoding/json.Marshal (pdata pcommon/value.go)',
    project: (span) => ({
      ...span,
      attributes: goJsonValues(span.attributes),
      resourceAttributes: goJsonValues(span.resourceAttributes),
      events: span.events.map((event) => ({ ...event, attributes: goJsonValues(event.attributes) })),
    }),
  },
  {
    name: "links to the span's own parent fold into the parent reference, which comes first: that link reads back once, ahead of the others",
    source:
      'to_dbmodel.go linksToDbSpanRefs: "We already added a reference to this span, but maybe with the wrong type, so override" (refs[0].RefType = FOLLOWS_FROM, no further reference)',
    project: (span) => {
      const toParent = (link: LogicalSpan['links'][number]) =>
        span.parentSpanId !== undefined && link.traceId === span.traceId && link.spanId === span.parentSpanId;
      const folded = span.links.filter(toParent);
      return folded.length === 0
        ? span
        : { ...span, links: [folded[0], ...span.links.filter((link) => !toParent(link))] };
    },
  },
];

// ---- expected rows -------------------------------------------------------------------------------


function expectedRows(traceId: string): TraceSpanRow[] {
  const withoutJaegerV2Losses = (span: LogicalSpan): LogicalSpan =>
    JAEGER_V2_LOSSES.reduce<LogicalSpan>((projected, loss) => loss.project(projected), span);
  const spans = source
    .filter((span) => span.traceId === traceId)
    .map((span) => LOSSES.jaeger.project(withoutJaegerV2Losses({ ...span, source: { ...span.source, warnings: [] } })));
  return canonicalRows(assembleTrace(spans).spans.map(spanToFrameRow));
}

// ---- searches, each run through estraces, Jaeger's query API and the source ------------------------

interface Search {
  name: string;
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  minDuration?: string;
  maxDuration?: string;
  status?: 'error' | 'ok';
  limit?: number;
}

const SEARCHES: Search[] = [
  { name: 'a service', service: 'frontend' },
  { name: 'a service of the 3,000-span trace', service: 'batch-3' },
  { name: 'service and operation', service: 'checkout', operation: 'PlaceOrder' },
  { name: 'an operation with query-syntax characters', service: 'frontend', operation: 'GET /search?q="x"&y=*' },
  { name: 'a span attribute', service: 'payment', tags: { 'app.payment.method': 'card' } },
  { name: 'a resource attribute', service: 'cart', tags: { 'host.name': 'cart-host-1' } },
  {
    name: 'two attributes on one span',
    service: 'ledger',
    tags: { 'app.ledger.kind': 'nightly', 'app.ledger.batch': '2' },
  },
  { name: 'min duration', service: 'ledger', minDuration: '40ms' },
  { name: 'max duration', service: 'ledger', maxDuration: '10ms' },
  { name: 'min and max duration', service: 'ledger', minDuration: '15ms', maxDuration: '60ms' },
  { name: 'status error', service: 'payment', status: 'error' },
  { name: 'status error on a service whose roots fail too', service: 'ledger', status: 'error' },
  { name: 'status ok', service: 'payment', status: 'ok' },
  { name: 'a limit keeps the most recent traces', service: 'frontend', limit: 3 },
  {
    name: 'everything combined',
    service: 'ledger',
    operation: 'write journal',
    tags: { 'app.ledger.kind': 'nightly' },
    minDuration: '1ms',
    status: 'error',
  },
];

const DURATION_NS: Record<string, bigint> = { ms: MS, us: BigInt(1_000) };
const durationNs = (text: string) => BigInt(text.slice(0, -2)) * DURATION_NS[text.slice(-2)];
const textOf = (value: AttributeValue | undefined) =>
  value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);

/** The traces a search must find, from the source spans: every filter holds on one span. */
function sourceMatches(search: Search): string[] {
  const matches = source.filter(
    (span) =>
      span.serviceName === search.service &&
      (search.operation === undefined || span.name === search.operation) &&
      Object.entries(search.tags ?? {}).every(
        ([key, value]) => textOf(span.attributes[key] ?? span.resourceAttributes[key]) === value
      ) &&
      (search.minDuration === undefined || (span.durationNano ?? BigInt(0)) >= durationNs(search.minDuration)) &&
      (search.maxDuration === undefined || (span.durationNano ?? BigInt(0)) <= durationNs(search.maxDuration)) &&
      (search.status === undefined || span.statusCode === (search.status === 'error' ? 2 : 1))
  );
  // Latest matching span first: the order both readers use to pick the most recent traces.
  matches.sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? 1 : -1));
  return [...new Set(matches.map((span) => span.traceId))].slice(0, search.limit ?? Infinity).sort();
}

/** Jaeger's tag filter for a status: `error=true` is what it writes for ERROR, `otel.status_code=OK` for OK (to_dbmodel.go getTagFromStatusCode). */
const STATUS_TAGS = { error: { error: 'true' }, ok: { 'otel.status_code': 'OK' } };

async function jaegerGet(jaeger: RunningJaeger, path: string): Promise<unknown> {
  return JSON.parse(await jaegerText(jaeger, path));
}

async function jaegerSearch(jaeger: RunningJaeger, search: Search): Promise<string[]> {
  const tags = { ...(search.tags ?? {}), ...(search.status ? STATUS_TAGS[search.status] : {}) };
  const params = new URLSearchParams({
    service: search.service,
    start: String(WINDOW.fromMs * 1000),
    end: String(WINDOW.toMs * 1000),
    limit: String(search.limit ?? 1000),
  });
  if (search.operation !== undefined) {
    params.set('operation', search.operation);
  }
  if (Object.keys(tags).length > 0) {
    params.set('tags', JSON.stringify(tags));
  }
  if (search.minDuration !== undefined) {
    params.set('minDuration', search.minDuration);
  }
  if (search.maxDuration !== undefined) {
    params.set('maxDuration', search.maxDuration);
  }
  const body = (await jaegerGet(jaeger, `/api/traces?${params}`)) as { data: Array<{ traceID: string }> };
  return body.data.map((found) => found.traceID).sort();
}

/** logfmt for the tag filter, quoting values that need it. */
const logfmt = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([key, value]) =>
      /[\s"\\=]/.test(value) ? `${key}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `${key}=${value}`
    )
    .join(' ');

async function estracesSearch(url: string, index: string, search: Search): Promise<SearchOutputRow[]> {
  const args = [
    '--url',
    url,
    '--index',
    index,
    '--service',
    search.service,
    '--from',
    String(WINDOW.fromMs),
    '--to',
    String(WINDOW.toMs),
    '--limit',
    String(search.limit ?? 1000),
  ];
  const optional: Array<[string, string | undefined]> = [
    ['--operation', search.operation],
    ['--tags', search.tags ? logfmt(search.tags) : undefined],
    ['--min-duration', search.minDuration],
    ['--max-duration', search.maxDuration],
    ['--status', search.status],
  ];
  for (const [flag, value] of optional) {
    if (value !== undefined) {
      args.push(flag, value);
    }
  }
  return cliSearch(args);
}

async function estracesList(args: string[]): Promise<string[]> {
  const run = await runCli(args);
  if (run.code !== 0 || run.stderr !== '') {
    throw new Error(`estraces ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  }
  return (JSON.parse(run.stdout) as string[]).sort();
}

async function postOtlp(jaeger: RunningJaeger, request: OtlpTraceRequest): Promise<void> {
  const response = await fetch(`${jaeger.otlpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  if (!response.ok || /"rejectedSpans"\s*:\s*"?[1-9]/.test(text)) {
    throw new Error(`Jaeger's OTLP receiver answered ${response.status}: ${text.slice(0, 500)}`);
  }
}

/** Resolves once Jaeger's own query API returns every trace whole (its storage writes in the background). */
async function untilJaegerHasEverything(jaeger: RunningJaeger): Promise<void> {
  const pending = new Set(traceIds);
  await waitFor(
    async () => {
      for (const traceId of [...pending]) {
        const response = await fetch(`${jaeger.queryUrl}/api/traces/${traceId}`, {
          signal: AbortSignal.timeout(60_000),
        });
        const body = response.ok ? ((await response.json()) as { data?: Array<{ spans: unknown[] }> }) : undefined;
        if (body?.data?.[0]?.spans.length !== spanCounts.get(traceId)) {
          return false;
        }
        pending.delete(traceId);
      }
      return true;
    },
    `Jaeger's query API returning all ${traceIds.length} traces`,
    { timeoutMs: 10 * 60_000, process: jaeger.process }
  );
}

const goMissing = goAvailable();
if (goMissing) {
  process.stdout.write(`jaegerProducer.test.ts skipped: Jaeger v2 is built from source with Go, and ${goMissing}\n`);
}
const describeWithGo = goMissing ? describe.skip : describe;

describeWithGo(`Jaeger ${JAEGER_VERSION} (v2) writes, estraces reads`, () => {
  beforeAll(async () => {
    // Once per machine and version (cached); a cold build takes many minutes on a small machine.
    await buildJaeger((line) => process.stdout.write(`${line}\n`));
  }, 40 * 60_000);

  describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
    describe.each(variantsFor(engine).map((variant) => [variant]))('storage variant %s', (variant) => {
      const prefix = uniqueIndex(`jaeger2-${variant}`);
      // Rollover users point readers at the read alias; daily indices are found by their pattern.
      const index = variant === 'aliases' ? `${prefix}-jaeger-span-read` : `${prefix}-jaeger-span-*`;
      let jaeger: RunningJaeger | undefined;
      const running = (): RunningJaeger => {
        if (!jaeger) {
          throw new Error('Jaeger did not start: see the beforeAll error');
        }
        return jaeger;
      };

      beforeAll(async () => {
        jaeger = await startJaeger({
          engineUrl: engine.url,
          engineKind: engine.kind === 'opensearch' ? 'opensearch' : 'elasticsearch',
          variant,
          indexPrefix: prefix,
          maxSpanAge: MAX_SPAN_AGE_MS,
        });
        for (const request of REQUESTS) {
          await postOtlp(jaeger, request);
        }
        await untilJaegerHasEverything(jaeger);
      }, 15 * 60_000);

      afterAll(async () => {
        await jaeger?.stop();
      });

      it('is detected as jaeger', async () => {
        const detected = await runCli(['detect', '--url', engine.url, '--index', index]);
        expect(detected.stderr).toBe('');
        expect(JSON.parse(detected.stdout).schema).toBe('jaeger');
      });

      it('returns every trace as the SDK made it, up to what Jaeger stores', async () => {
        for (const traceId of traceIds.filter((id) => id !== large.traceIds[0])) {
          const output = await cliTrace([traceId, '--url', engine.url, '--index', index]);
          expect({ traceId, warnings: output.warnings, spans: canonicalRows(output.spans) }).toEqual({
            traceId,
            warnings: [],
            spans: expectedRows(traceId),
          });
        }
      });

      it('returns the 3,000-span trace complete and unchanged', async () => {
        const output = await cliTrace([large.traceIds[0], '--url', engine.url, '--index', index]);
        expect(output.warnings).toEqual([]);
        expect(output.spans).toHaveLength(3_000);
        expect(firstDifferingRows(output.spans, expectedRows(large.traceIds[0]))).toEqual([]);
      });

      /** Search summarises trace ends: Jaeger stores none, so a painless script adds start and duration. */
      const scripted = itWhere(engine, searchNeeds('jaeger'));
      for (const search of SEARCHES) {
        scripted(`search by ${search.name} finds the traces Jaeger finds`, async () => {
          const expected = sourceMatches(search);
          expect(expected.length).toBeGreaterThan(0);
          const [ours, theirs] = [
            await estracesSearch(engine.url, index, search),
            await jaegerSearch(running(), search),
          ];
          expect({ estraces: ours.map((row) => row.traceID).sort(), jaeger: theirs }).toEqual({
            estraces: expected,
            jaeger: expected,
          });
        });
      }

      scripted("counts each trace's spans and errors as the source has them", async () => {
        const found = [
          ...(await estracesSearch(engine.url, index, { name: 'payment', service: 'payment' })),
          ...(await estracesSearch(engine.url, index, { name: 'ledger', service: 'ledger' })),
        ];
        const counts = (traceId: string) => ({
          traceID: traceId,
          spans: spanCounts.get(traceId),
          errors: source.filter((span) => span.traceId === traceId && span.statusCode === 2).length,
        });
        expect(found.map((row) => ({ traceID: row.traceID, spans: row.spans, errors: row.errors }))).toEqual(
          found.map((row) => counts(row.traceID))
        );
        expect(found).toHaveLength(demo.traceIds.length + 3);
        expect(found.filter((row) => row.errors > 0)).toHaveLength(6);
      });

      it('draws the service map the source spans make: services, peers, calls, errors and percentiles', async () => {
        const run = await runCli(['servicemap', '--url', engine.url, '--index', index, '--from', String(WINDOW.fromMs), '--to', String(WINDOW.toMs)]);
        expect(run.code).toBe(0);
        const map = JSON.parse(run.stdout) as { nodes: Array<{ id: string; kind: string; requests: number; errors: number }>; edges: Array<{ source: string; target: string; calls: number; errors: number; p50Ms: number; p95Ms: number }> };
        const truth = mapTruth(mapSpansOf(source), WINDOW.fromMs, WINDOW.toMs);
        expect(map.nodes.map(({ id, kind, requests, errors }) => ({ id, kind, requests, errors })).sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(truth.nodes.map(({ id, kind, requests, errors }) => ({ id, kind, requests, errors })));
        expect(map.edges.map(({ source: from, target, calls, errors }) => ({ source: from, target, calls, errors }))).toEqual(truth.edges.map(({ source: from, target, calls, errors }) => ({ source: from, target, calls, errors })));
        // Jaeger keeps durations in whole microseconds.
        map.edges.forEach((edge, i) => {
          expect(edge.p50Ms).toBeCloseTo(truth.edges[i].p50Ms!, 2);
          expect(edge.p95Ms).toBeCloseTo(truth.edges[i].p95Ms!, 2);
        });
        expect(truth.edges.some((edge) => edge.target.startsWith('peer:'))).toBe(true);
      });

      it('lists the services and operations Jaeger lists', async () => {
        const services = ((await jaegerGet(running(), '/api/services')) as { data: string[] }).data.sort();
        expect(services).toEqual([...new Set(source.map((span) => span.serviceName))].sort());
        expect(await estracesList(['services', '--url', engine.url, '--index', index])).toEqual(services);
        for (const service of ['frontend', 'checkout', 'ledger', 'batch-1']) {
          const operations = (
            (await jaegerGet(running(), `/api/services/${encodeURIComponent(service)}/operations`)) as {
              data: string[];
            }
          ).data.sort();
          expect({ service, operations }).toEqual({
            service,
            operations: [
              ...new Set(source.filter((span) => span.serviceName === service).map((span) => span.name)),
            ].sort(),
          });
          expect({
            service,
            operations: await estracesList(['operations', '--url', engine.url, '--index', index, '--service', service]),
          }).toEqual({ service, operations });
        }
      });

      it("imports Jaeger query's answers for every trace, its own JSON (/api/traces/ID, as \"Download JSON\" saves it) and api/v3's OTLP/JSON, as the trace read from the engine", async () => {
        for (const traceId of traceIds) {
          const stored = await cliTrace([traceId, '--url', engine.url, '--index', index]);
          expect(stored.spans).toHaveLength(spanCounts.get(traceId)!);
          expect(stored.warnings).toEqual([]);
          // The answers' bytes as Jaeger wrote them, read as the Import query type reads a dropped file.
          const { output, notes } = withoutClockSkewNotes(imported(await jaegerText(running(), `/api/traces/${traceId}`)));
          expect(comparable(output, stored)).toEqual({ traceID: traceId, warnings: [], differing: [] });
          expect(notes.filter((note) => !CLOCK_SKEW_NOTE.test(note))).toEqual([]);
          const v3Answer = withoutClockSkewNotes(imported(await jaegerText(running(), `/api/v3/traces/${traceId}`)));
          expect(v3Answer.notes.filter((note) => !CLOCK_SKEW_NOTE.test(note))).toEqual([]);
          const { output: v3, refTypes } = withoutRefTypes(v3Answer.output);
          expect(comparable(v3, stored)).toEqual({ traceID: traceId, warnings: [], differing: [] });
          // The SDK's links are what Jaeger stores as FOLLOWS_FROM references: one mark per link.
          expect(refTypes).toEqual(stored.spans.flatMap((row) => (row.references ?? []).map(() => 'follows_from')));
        }
      });
    });
  });
});

/**
 * Jaeger's query API serves a trace through its adjusters (cmd/query/app/querysvc/v2/adjuster,
 * StandardAdjusters); over these traces the only one that leaves a mark is CorrectClockSkew: with
 * `max_clock_skew_adjust` at its default 0 it moves nothing, but a child span that does not fit in
 * its parent on another host (or on a resource naming no host) gets the span warning
 * warningSkewAdjustDisabled, "clock skew adjustment disabled; not applying calculated delta of %v".
 * The stored documents carry no such warning, so an imported answer differs from the engine's
 * read by exactly these notes, which the import shows as Jaeger's.
 */
const CLOCK_SKEW_NOTE = /^Jaeger: clock skew adjustment disabled; not applying calculated delta of -?[\d.]+(ns|µs|ms|s)$/;

/** The output without Jaeger's span warnings, and those warnings. */
function withoutClockSkewNotes(output: TraceOutput): { output: TraceOutput; notes: string[] } {
  const notes: string[] = [];
  const spans = output.spans.map((row) => {
    const own = (row.warnings ?? []).filter((warning) => !warning.startsWith('Jaeger: '));
    notes.push(...(row.warnings ?? []).filter((warning) => warning.startsWith('Jaeger: ')));
    const { warnings: _warnings, ...rest } = row;
    return own.length > 0 ? { ...rest, warnings: own } : rest;
  });
  return { output: { ...output, spans }, notes };
}

/** A trace file's text as the Import query type shows it, in the shape `estraces trace` prints. */
function imported(text: string): TraceOutput {
  const result = importTrace(text);
  return { traceID: result.traceId, spans: result.rows, warnings: result.notices.map((notice) => notice.text) };
}

/**
 * Jaeger's api/v3 answer is its storage model translated to OTLP, and that translation marks every
 * link with the reference type it was stored as (`opentracing.ref_type`); the stored document holds
 * the type as the reference's refType instead, which the trace view shows as the link itself. The
 * output without those marks, and the marks in span and link order.
 */
function withoutRefTypes(output: TraceOutput): { output: TraceOutput; refTypes: unknown[] } {
  const refTypes: unknown[] = [];
  const spans = output.spans.map((row) => {
    const references = row.references?.map((reference) => {
      const tags = (reference.tags ?? []).filter((tag) => tag.key !== 'opentracing.ref_type');
      refTypes.push(...(reference.tags ?? []).filter((tag) => tag.key === 'opentracing.ref_type').map((tag) => tag.value));
      return { ...reference, tags };
    });
    return references === undefined ? row : { ...row, references };
  });
  return { output: { ...output, spans }, refTypes };
}

/** The id and warnings of an `estraces trace` output, and where its rows differ from `expected`'s. */
function comparable(actual: TraceOutput, expected: TraceOutput): { traceID: string; warnings: string[]; differing: unknown[] } {
  return { traceID: actual.traceID, warnings: actual.warnings, differing: firstDifferingRows(actual.spans, expected.spans) };
}
